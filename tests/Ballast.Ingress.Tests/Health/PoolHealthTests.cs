using System.Collections.Immutable;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Health wired into a pool (no proxy): availability decides the balancer, slow start ramps weights, passive health ejects.</summary>
public sealed class PoolHealthTests
{
    private static EndpointSnapshot Ep(int i, bool backup = false) => new() { Host = $"10.0.0.{i}", Port = 8080, Backup = backup };

    private static PoolRuntime Pool(PoolSnapshot config, FakeTimeProvider time) =>
        new(config, (e, lb) => LoadBalancerRegistry.Create(e, lb, new Random(1), time), new IngressMetrics(), new HealthServices(time, seed: 1));

    private static Dictionary<string, int> Picks(PoolRuntime pool, int n)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < n; i++)
        {
            var e = pool.Balancer.Pick(PickContext.None)!;
            counts[e.Id] = counts.GetValueOrDefault(e.Id) + 1;
        }

        return counts;
    }

    [Fact]
    public void An_endpoint_added_to_a_running_pool_ramps_from_a_tenth_of_its_weight_to_full_over_slowStart()
    {
        var time = new FakeTimeProvider();
        var config = new PoolSnapshot
        {
            Id = "ns/p",
            Endpoints = [Ep(1)],
            LoadBalancing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.WeightedRoundRobin },
            SlowStart = TimeSpan.FromSeconds(30),
        };
        using var pool = Pool(config, time);
        Assert.Equal(10, pool.Endpoints[0].EffectiveWeight); // the pool's first endpoints start at full weight

        pool.Update(config with { Endpoints = [Ep(1), Ep(2)] });
        var cold = Picks(pool, 1100);
        Assert.Equal(1000, cold["10.0.0.1:8080"]);
        Assert.Equal(100, cold["10.0.0.2:8080"]); // weight 1 of 11

        time.Advance(TimeSpan.FromSeconds(15));
        var half = Picks(pool, 1500);
        Assert.Equal(500, half["10.0.0.2:8080"]); // 5 tenths: 5 of 15

        time.Advance(TimeSpan.FromSeconds(15));
        var warm = Picks(pool, 1000);
        Assert.Equal(500, warm["10.0.0.2:8080"]);
    }

    [Fact]
    public void Passive_ejection_and_return_rebuild_the_pools_balancer()
    {
        var time = new FakeTimeProvider();
        var config = new PoolSnapshot
        {
            Id = "ns/p",
            Endpoints = [Ep(1), Ep(2)],
            PassiveHealth = new PassiveHealthSnapshot { ConsecutiveFailures = 2, EjectionTime = TimeSpan.FromSeconds(10), MaxEjectionPercent = 50 },
        };
        using var pool = Pool(config, time);
        var first = pool.Endpoints[0];
        pool.Health.Report(first, AttemptOutcome.Response(502));
        pool.Health.Report(first, AttemptOutcome.Response(502));
        Assert.Equal([pool.Endpoints[1]], pool.Balancer.Endpoints.ToArray());

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, pool.Balancer.Endpoints.Length);
    }

    [Fact]
    public void Removing_an_endpoint_keeps_it_draining_out_of_the_balancer_until_its_requests_finish()
    {
        var time = new FakeTimeProvider();
        var config = new PoolSnapshot { Id = "ns/p", Endpoints = [Ep(1), Ep(2)], DrainTimeout = TimeSpan.FromSeconds(5) };
        using var pool = Pool(config, time);
        var leaving = pool.Endpoints[1];
        leaving.OnRequestStarted();

        pool.Update(config with { Endpoints = [Ep(1)] });
        Assert.True(leaving.Health.IsRemoved);
        Assert.Equal([leaving], pool.Health.Draining.ToArray());
        Assert.DoesNotContain(leaving, pool.Balancer.Endpoints);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(pool.Health.Draining);
        leaving.OnRequestFinished(TimeSpan.FromSeconds(1));
        time.Advance(DrainTracker.PollInterval);
        Assert.Empty(pool.Health.Draining);
        Assert.False(leaving.Health.DrainAbortToken.IsCancellationRequested);
    }

    [Fact]
    public void A_drain_that_outlives_its_timeout_aborts_what_the_endpoint_still_serves()
    {
        var time = new FakeTimeProvider();
        var config = new PoolSnapshot { Id = "ns/p", Endpoints = [Ep(1), Ep(2)], DrainTimeout = TimeSpan.FromSeconds(5) };
        using var pool = Pool(config, time);
        var leaving = pool.Endpoints[1];
        var token = leaving.Health.DrainAbortToken; // what an in-flight WebSocket was forwarded with
        leaving.OnRequestStarted();
        pool.Update(config with { Endpoints = [Ep(1)] });

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True(token.IsCancellationRequested);
        Assert.Empty(pool.Health.Draining);
    }

    [Fact]
    public void An_endpoint_that_comes_back_before_its_drain_ends_serves_again()
    {
        var time = new FakeTimeProvider();
        var config = new PoolSnapshot { Id = "ns/p", Endpoints = [Ep(1), Ep(2)] };
        using var pool = Pool(config, time);
        var flapping = pool.Endpoints[1];
        flapping.OnRequestStarted();
        pool.Update(config with { Endpoints = [Ep(1)] });
        pool.Update(config);
        Assert.Same(flapping, pool.Endpoints[1]);
        Assert.False(flapping.Health.IsRemoved);
        Assert.Contains(flapping, pool.Balancer.Endpoints);
    }
}
