using System.Collections.Immutable;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4.Flows;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace Ballast.Ingress.Tests.L4.Flows;

/// <summary>
/// The flow table of one Maglev UDP pool without sockets or Redis: a real pool runtime whose endpoint set changes, a
/// fake clock for the history window. (Sharing through Redis between replicas: <c>L4ActiveActiveTests</c>.)
/// </summary>
public sealed class FlowTableTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T23:00:00Z"));
    private readonly L4Metrics _metrics = new(new CollectorRegistry());

    private static PoolSnapshot Pool(int endpoints) => new()
    {
        Id = "default/dns",
        Protocol = PoolProtocol.UDP,
        LoadBalancing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.Maglev },
        Endpoints = [.. Enumerable.Range(1, endpoints).Select(i => new EndpointSnapshot { Host = "10.0.0." + i, Port = 53 })],
    };

    private (PoolRuntime Pool, FlowTable Table) Create(int endpoints)
    {
        var pool = new PoolRuntime(Pool(endpoints), (e, lb) => LoadBalancerRegistry.Create(e, lb), new IngressMetrics());
        var table = new FlowTable(pool.Id, new AffinityTable(_time), shared: null, _metrics, _time, NullLogger.Instance);
        table.Attach(pool);
        return (pool, table);
    }

    /// <summary>Flow keys as <c>ClientAddressHash.OfFlow</c> would give them: well spread 64-bit values (seeded).</summary>
    private static ulong[] Flows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64())];
    }

    private static EndpointState Choice(ILoadBalancer balancer, ulong flow) => balancer.Pick(new PickContext(flow))!;

    private double Count(Func<L4Metrics.FlowTableMetrics, Counter.Child> counter) => counter(_metrics.ForFlows("default/dns")).Value;

    [Fact]
    public async Task An_endpoint_added_pins_exactly_the_open_flows_whose_choice_moved_and_each_keeps_its_backend()
    {
        var (pool, table) = Create(endpoints: 2);
        var flows = Flows(300, seed: 23);
        var before = new Dictionary<ulong, EndpointState>();
        var handles = new List<IDisposable>();
        foreach (var flow in flows)
        {
            before[flow] = (await table.PlaceAsync(pool.Balancer, flow))!;
            handles.Add(table.Track(flow, before[flow]));
        }
        Assert.Equal(0, Count(m => m.Pins)); // placed by the hash: nothing to pin

        pool.Update(Pool(endpoints: 3));
        var moved = flows.Where(f => Choice(pool.Balancer, f).Id != before[f].Id).ToList();
        Assert.InRange(moved.Count, 70, 130); // Maglev moves about a third to the new endpoint
        Assert.Equal(moved.Count, Count(m => m.Pins));

        // The pinned flows are placed on their backend again (a session swept and resumed); the others by the hash.
        foreach (var flow in flows) Assert.Same(before[flow], await table.PlaceAsync(pool.Balancer, flow));
        Assert.Equal(moved.Count, Count(m => m.LocalHits));
        foreach (var handle in handles) handle.Dispose();
        Assert.Equal(0, table.LiveCount);
    }

    [Fact]
    public async Task A_rebuild_over_the_same_endpoints_pins_nothing_and_the_flows_of_a_removed_endpoint_are_never_pinned()
    {
        var (pool, table) = Create(endpoints: 3);
        var before = new Dictionary<ulong, EndpointState>();
        foreach (var flow in Flows(300, seed: 5))
        {
            before[flow] = (await table.PlaceAsync(pool.Balancer, flow))!;
            table.Track(flow, before[flow]);
        }

        pool.RecomputeAvailable(); // a new balancer over the same endpoints and weights: nothing moved
        pool.Update(Pool(endpoints: 3));
        Assert.Equal(0, Count(m => m.Pins));

        // 10.0.0.3 leaves: its flows must move and are not pinned. Of the others, Maglev moves only the few whose slots
        // the survivors trade while refilling the table; exactly those are pinned.
        pool.Update(Pool(endpoints: 2));
        var shuffled = before.Count(p => p.Value.Id != "10.0.0.3:53" && Choice(pool.Balancer, p.Key).Id != p.Value.Id);
        Assert.Equal(shuffled, Count(m => m.Pins));
        Assert.True(shuffled < 30, $"{shuffled} of the surviving endpoints' flows moved");
    }

    [Fact]
    public async Task A_new_flow_is_looked_up_only_if_an_endpoint_set_of_the_window_placed_it_elsewhere()
    {
        // This replica saw the change but none of the flows: as after a failover. Single-replica mode (no Redis), so
        // each lookup is a miss, which counts exactly the flows that were looked up.
        var (pool, table) = Create(endpoints: 2);
        var earlier = pool.Balancer;
        pool.Update(Pool(endpoints: 3));

        var flows = Flows(300, seed: 7);
        foreach (var flow in flows) Assert.Same(Choice(pool.Balancer, flow), await table.PlaceAsync(pool.Balancer, flow));
        var movedSince = flows.Count(f => Choice(earlier, f).Id != Choice(pool.Balancer, f).Id);
        Assert.InRange(movedSince, 70, 130);
        Assert.Equal(movedSince, Count(m => m.Misses));

        // Past the window the earlier set is forgotten: no more lookups.
        _time.Advance(table.HistoryWindow);
        foreach (var flow in Flows(300, seed: 8)) await table.PlaceAsync(pool.Balancer, flow);
        Assert.Equal(movedSince, Count(m => m.Misses));
    }
}
