using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.Health;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Time.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Runtime;

/// <summary>
/// Real ingress, real backends, the admin /metrics scrape: series of removed routes, pools, listeners and
/// endpoints disappear once their drain is over, live ones stay. The host runs on a FakeTimeProvider, so the
/// drain poll and the swap's grace happen exactly when the test advances the clock.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SeriesRetirementEndToEndTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task After_the_drain_the_scrape_has_no_series_naming_the_removed_route_pool_or_endpoint_and_keeps_the_live_ones()
    {
        await using var gone = await TestBackend.StartAsync("gone");
        await using var kept = await TestBackend.StartAsync("kept");
        await using var dropped = await TestBackend.StartAsync("dropped");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = clock });
        var (goneListener, liveListener) = (FreePort.Next(), FreePort.Next());
        await ingress.ApplyAsync(Of(1, [Listener(goneListener, Route("canary", ("ns/canary", 1))), Listener(liveListener, Route("web", ("ns/web", 1)))],
            Pool("ns/canary", gone) with { DrainTimeout = Drain }, Pool("ns/web", kept, dropped) with { DrainTimeout = Drain }));
        for (var i = 0; i < 3; i++) await ingress.Client(goneListener).GetStringAsync("/");
        for (var i = 0; i < 4; i++) await ingress.Client(liveListener).GetStringAsync("/"); // round robin: 2 each
        await WaitForValueAsync(ingress, Requests("canary", "ns/canary", gone), 3);
        await WaitForValueAsync(ingress, Requests("web", "ns/web", dropped), 2);
        await WaitForValueAsync(ingress, Requests("web", "ns/web", kept), 2);

        // The canary route, its pool and listener go; the web pool loses one endpoint.
        await ingress.ApplyAsync(Of(2, [Listener(liveListener, Route("web", ("ns/web", 1)))], Pool("ns/web", kept) with { DrainTimeout = Drain }));
        var swapped = await ingress.MetricsAsync();
        Assert.Equal(3, PrometheusText.Value(swapped, Requests("canary", "ns/canary", gone))); // not before the drain
        Assert.Equal(2, PrometheusText.Value(swapped, Requests("web", "ns/web", dropped)));

        clock.Advance(TimeSpan.FromMilliseconds(100)); // the drain poll: nothing in flight on the dropped endpoint
        var endpointDrained = await ingress.MetricsAsync();
        Assert.DoesNotContain(Named(dropped), endpointDrained);
        Assert.Contains("route=\"canary\"", endpointDrained); // the pool's drain (grace) is still running

        clock.Advance(Drain);
        var after = await ingress.MetricsAsync();
        Assert.DoesNotContain("canary", after);
        Assert.DoesNotContain(Named(gone), after);
        Assert.DoesNotContain(Named(dropped), after);
        Assert.Equal(2, PrometheusText.Value(after, Requests("web", "ns/web", kept)));
        Assert.Contains("ballast_request_duration_seconds_count{route=\"web\"} 4", after);
        Assert.Contains("ballast_endpoint_state{pool=\"ns/web\",endpoint=\"" + kept.Address + "\",state=\"healthy\"} 1", after);
    }

    [Fact]
    public async Task A_draining_endpoint_keeps_counting_into_its_series_until_its_last_request_ends_then_they_go()
    {
        var held = new HeldRequests("/hold", "slow");
        await using var slow = await TestBackend.StartAsync("slow", held.Handle);
        await using var other = await TestBackend.StartAsync("other");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = clock });
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1));
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("ns/p", slow) with { DrainTimeout = Drain }));
        var client = ingress.Client(port);
        await client.GetStringAsync("/");
        var holding = client.GetStringAsync("/hold");
        await HealthFixtures.WaitFor(() => held.Held == 1, "the held request to reach the endpoint");

        await ingress.ApplyAsync(Of(2, [Listener(port, route)], Pool("ns/p", other) with { DrainTimeout = Drain }));
        clock.Advance(TimeSpan.FromSeconds(1)); // drain polls: one request still in flight
        await WaitForValueAsync(ingress, Requests("r", "ns/p", slow), 1); // still exported while draining

        held.Release();
        Assert.Equal("slow", await holding);
        await WaitForValueAsync(ingress, Requests("r", "ns/p", slow), 2); // the last request still counted
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var after = await ingress.MetricsAsync();
        Assert.DoesNotContain(Named(slow), after);
        Assert.Contains("route=\"r\"", after); // the route and pool live on
    }

    [Fact]
    public async Task A_route_and_pool_removed_and_re_added_within_the_grace_keep_their_series_and_count_on()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = clock });
        var port = FreePort.Next();
        var full = Of(1, [Listener(port, Route("r", ("ns/p", 1)))], Pool("ns/p", backend) with { DrainTimeout = Drain });
        await ingress.ApplyAsync(full);
        await ingress.Client(port).GetStringAsync("/");

        await ingress.ApplyAsync(Of(2, [Listener(port, Route("r2", ("ns/q", 1)))], Pool("ns/q", backend) with { DrainTimeout = Drain }));
        await ingress.ApplyAsync(full with { Version = 3 });
        clock.Advance(Drain + TimeSpan.FromSeconds(1));
        await ingress.Client(port).GetStringAsync("/");

        Assert.Equal(2, PrometheusText.Value(await ingress.MetricsAsync(), Requests("r", "ns/p", backend)));
    }

    [Fact]
    public async Task Thirty_rollouts_that_each_give_the_pool_a_new_address_leave_the_scrape_as_large_as_after_the_first()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = clock });
        var port = FreePort.Next();
        Model.Snapshots.Snapshot Rollout(int i) => Of(i + 1, [Listener(port, Route("r", ("ns/churn", 1)))],
            Pool("ns/churn", Model.Resources.PoolProtocol.HTTP1, new Model.Snapshots.EndpointSnapshot { Host = "127.0.0.1", Port = 40_000 + i }) with { DrainTimeout = Drain });
        await ingress.ApplyAsync(Rollout(0));
        await ingress.ApplyAsync(Rollout(1));
        clock.Advance(TimeSpan.FromMilliseconds(100)); // the first address drains (nothing in flight)
        var first = SeriesLines(await ingress.MetricsAsync());

        for (var i = 2; i < 31; i++)
        {
            await ingress.ApplyAsync(Rollout(i));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        var last = await ingress.MetricsAsync();
        Assert.Contains("endpoint=\"127.0.0.1:40030\"", last);
        Assert.DoesNotContain("endpoint=\"127.0.0.1:40029\"", last);
        Assert.Equal(first, SeriesLines(last));
    }

    // Ballast's own series only: the process and runtime series (process_*, dotnet_*, system_runtime_*) describe the
    // whole test process, whose GCs, exceptions and threads change with whatever other tests run beside this one.
    private static int SeriesLines(string scrape) => scrape.Split('\n').Count(l => l.StartsWith("ballast_", StringComparison.Ordinal));

    private static string Named(TestBackend endpoint) => $"endpoint=\"{endpoint.Address}\"";

    private static string Requests(string route, string pool, TestBackend endpoint) =>
        $"ballast_requests_total{{route=\"{route}\",pool=\"{pool}\",endpoint=\"{endpoint.Address}\",code=\"2xx\"}}";

    /// <summary>The response reaches the client a moment before the proxy counts it: poll the scrape (bounded).</summary>
    private static Task WaitForValueAsync(IngressFixture ingress, string series, double value) =>
        Eventually.GetAsync(async () => PrometheusText.Value(await ingress.MetricsAsync(), series), v => v == value, $"{series} to be {value}");
}
