using System.Collections.Immutable;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

[Trait("Category", "Integration")]
public sealed class ProxyBasicsTests
{
    [Fact]
    public async Task Requests_are_spread_over_every_endpoint_of_the_pool()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", a, b)));
        var client = ingress.Client(port);

        for (var i = 0; i < 20; i++) (await client.GetAsync("/x")).EnsureSuccessStatusCode();

        Assert.Equal(10, a.Requests);
        Assert.Equal(10, b.Requests);
    }

    [Fact]
    public async Task No_matching_route_answers_404_with_a_short_body()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("p", 1)) with { Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/api" } };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", a)));

        var response = await ingress.Client(port).GetAsync("/other");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no route\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, a.Requests);
    }

    [Fact]
    public async Task A_pool_without_endpoints_answers_503_and_counts_it()
    {
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("empty", 1)))], Pool("empty", PoolProtocol.HTTP1)));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_no_endpoint_total{pool=\"empty\"}"));
    }

    [Fact]
    public async Task Backups_get_traffic_only_when_no_primary_exists()
    {
        await using var primary = await TestBackend.StartAsync("primary");
        await using var backup = await TestBackend.StartAsync("backup");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var listeners = new[] { Listener(port, Route("r", ("p", 1))) }.ToImmutableArray();
        await ingress.ApplyAsync(Of(1, listeners, Pool("p", PoolProtocol.HTTP1, Endpoint(primary), Endpoint(backup, backup: true))));
        var client = ingress.Client(port);

        for (var i = 0; i < 10; i++) (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(10, primary.Requests);
        Assert.Equal(0, backup.Requests);

        // The primary leaves the pool (draining primaries still rank above backups, so remove it outright).
        await ingress.ApplyAsync(Of(2, listeners, Pool("p", PoolProtocol.HTTP1, Endpoint(backup, backup: true))));
        for (var i = 0; i < 10; i++) (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(10, primary.Requests);
        Assert.Equal(10, backup.Requests);
    }

    [Fact]
    public async Task Draining_endpoints_serve_only_when_nothing_else_is_left()
    {
        await using var ready = await TestBackend.StartAsync("ready");
        await using var draining = await TestBackend.StartAsync("draining");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var listeners = new[] { Listener(port, Route("r", ("p", 1))) }.ToImmutableArray();
        await ingress.ApplyAsync(Of(1, listeners, Pool("p", PoolProtocol.HTTP1, Endpoint(ready), Endpoint(draining, draining: true))));
        var client = ingress.Client(port);
        for (var i = 0; i < 6; i++) (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(0, draining.Requests);

        await ingress.ApplyAsync(Of(2, listeners, Pool("p", PoolProtocol.HTTP1, Endpoint(draining, draining: true))));
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(1, draining.Requests);
    }
}
