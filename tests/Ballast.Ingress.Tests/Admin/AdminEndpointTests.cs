using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Admin;

[Trait("Category", "Integration")]
public sealed class AdminEndpointTests
{
    [Fact]
    public async Task Healthz_answers_before_any_snapshot_while_readyz_waits_for_one()
    {
        await using var ingress = await IngressFixture.StartAsync();

        var health = await ingress.Admin.GetAsync("/healthz");
        var ready = await ingress.Admin.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("no snapshot", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_is_ready_once_the_snapshot_is_applied_and_its_listeners_bound()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();

        await ingress.ApplyAsync(Of(7, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));
        var ready = await ingress.Admin.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready: snapshot 7\n", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_listener_whose_port_is_taken_rejects_the_snapshot_and_the_last_good_one_keeps_serving()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var occupier = await TestBackend.StartAsync("occupier");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));

        var rejected = await Assert.ThrowsAsync<Ballast.Ingress.Sources.SnapshotRejectedException>(() =>
            ingress.ApplyAsync(Of(2, [Listener(port, Route("r", ("p", 1))), Listener(occupier.Port, Route("r2", ("p", 1)))], Pool("p", backend))));

        Assert.Equal($"listener http-{occupier.Port} cannot bind 127.0.0.1:{occupier.Port}: Address already in use", rejected.Message);
        Assert.Equal(1, ingress.Host.CurrentSnapshot.Version);
        Assert.Equal("a", await ingress.Client(port).GetStringAsync("/"));
        Assert.Equal("ready: snapshot 1\n", await ingress.Admin.GetStringAsync("/readyz"));
        using var direct = new HttpClient();
        Assert.Equal("occupier", await direct.GetStringAsync($"http://127.0.0.1:{occupier.Port}/")); // untouched by the attempt
    }

    [Fact]
    public async Task Metrics_count_requests_by_route_pool_endpoint_and_status_class()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(3, [Listener(port, Route("ns/policy/r0", ("ns/pool", 1)))], Pool("ns/pool", backend)));
        var client = ingress.Client(port);
        for (var i = 0; i < 5; i++) (await client.GetAsync("/")).EnsureSuccessStatusCode();

        var metrics = await ingress.MetricsAsync();

        Assert.Equal(5, PrometheusText.Value(metrics,
            $"ballast_requests_total{{route=\"ns/policy/r0\",pool=\"ns/pool\",endpoint=\"127.0.0.1:{backend.Port}\",code=\"2xx\"}}"));
        Assert.Equal(5, PrometheusText.Value(metrics, "ballast_request_duration_seconds_count{route=\"ns/policy/r0\"}"));
        Assert.Equal(3, PrometheusText.Value(metrics, "ballast_snapshot_version"));
        Assert.Equal(1, PrometheusText.Value(metrics, "ballast_reloads_total"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_requests_in_flight"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_reload_failures_total"));
    }
}
