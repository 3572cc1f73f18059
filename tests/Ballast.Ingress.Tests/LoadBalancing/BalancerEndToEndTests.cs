using System.Collections.Concurrent;
using System.Diagnostics;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>The load-aware algorithms through the real proxy, with real backends on 127.0.0.1.</summary>
[Trait("Category", "Integration")]
public sealed class BalancerEndToEndTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(LoadBalancingAlgorithm.LeastConnections, 0)]
    [InlineData(LoadBalancingAlgorithm.RoundRobin, 10)]
    public async Task A_backend_holding_20_long_requests_gets_no_new_ones_under_least_connections(
        LoadBalancingAlgorithm algorithm, int expectedOnBusy)
    {
        var held = new HeldRequests("/long", "busy");
        await using var busy = await TestBackend.StartAsync("busy", held.Handle);
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var options = new LoadBalancingSnapshot { Algorithm = algorithm };
        PoolSnapshot PoolOf(params TestBackend[] backends) => Pool("p", backends) with { LoadBalancing = options };

        // First the busy backend is alone: the 20 long requests can only land there.
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], PoolOf(busy)));
        var client = ingress.Client(port);
        var longRequests = Enumerable.Range(0, 20).Select(_ => client.GetAsync("/long")).ToArray();
        await Eventually.True(() => held.Held == 20, "20 long requests held by the busy backend");

        // Then two idle backends join; the busy endpoint's in-flight count carries over the reload.
        await ingress.ApplyAsync(Of(2, [Listener(port, Route("r", ("p", 1)))], PoolOf(busy, b, c)));
        var busyBefore = busy.Requests;
        for (var i = 0; i < 30; i++) (await client.GetAsync("/short")).EnsureSuccessStatusCode();
        var onBusy = busy.Requests - busyBefore;

        held.Release();
        foreach (var response in await Task.WhenAll(longRequests)) response.EnsureSuccessStatusCode();
        output.WriteLine($"{algorithm}: {onBusy} of 30 new requests went to the backend holding 20");
        Assert.Equal(expectedOnBusy, onBusy);
    }

    [Fact]
    public async Task Least_response_time_starves_a_50ms_slower_backend_and_beats_round_robin_at_p99()
    {
        await using var fast1 = await TestBackend.StartAsync("fast1");
        await using var fast2 = await TestBackend.StartAsync("fast2");
        await using var slow = await TestBackend.StartAsync("slow", async ctx =>
        {
            await Task.Delay(50); // the slowness the balancer must notice, not a synchronisation
            await ctx.Response.WriteAsync("slow");
        });

        var roundRobin = await Measure(LoadBalancingAlgorithm.RoundRobin, fast1, fast2, slow);
        var leastResponseTime = await Measure(LoadBalancingAlgorithm.LeastResponseTime, fast1, fast2, slow);

        output.WriteLine($"RoundRobin:        slow share {roundRobin.SlowShare:P1}, p99 {roundRobin.P99Ms:F1} ms");
        output.WriteLine($"LeastResponseTime: slow share {leastResponseTime.SlowShare:P1}, p99 {leastResponseTime.P99Ms:F1} ms");
        Assert.True(leastResponseTime.SlowShare < 0.15, $"slow backend share {leastResponseTime.SlowShare:P1}");
        Assert.True(leastResponseTime.P99Ms < roundRobin.P99Ms,
            $"p99 {leastResponseTime.P99Ms:F1} ms (LeastResponseTime) vs {roundRobin.P99Ms:F1} ms (RoundRobin)");
    }

    private sealed record Run(double SlowShare, double P99Ms);

    /// <summary>800 GETs from 8 concurrent clients through a fresh ingress using the given algorithm.</summary>
    private static async Task<Run> Measure(LoadBalancingAlgorithm algorithm, TestBackend fast1, TestBackend fast2, TestBackend slow)
    {
        const int Requests = 800, Clients = 8;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var pool = Pool("p", fast1, fast2, slow) with { LoadBalancing = new LoadBalancingSnapshot { Algorithm = algorithm } };
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], pool));
        var client = ingress.Client(port);
        (await client.GetAsync("/warm")).EnsureSuccessStatusCode();

        var slowBefore = slow.Requests;
        var latencies = new ConcurrentBag<double>();
        var remaining = Requests;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var started = Stopwatch.GetTimestamp();
                (await client.GetAsync("/work")).EnsureSuccessStatusCode();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var sorted = latencies.Order().ToArray();
        return new Run((double)(slow.Requests - slowBefore) / Requests, sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1]);
    }
}
