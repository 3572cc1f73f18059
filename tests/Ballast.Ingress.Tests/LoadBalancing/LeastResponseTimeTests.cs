using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class LeastResponseTimeTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(40)] // beyond the exact scan: power of two choices over the costs
    public void Shifts_traffic_away_from_a_slow_endpoint_and_back_after_it_recovers(int count)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var endpoints = Pool.Uniform(count);
        var slow = endpoints[0];
        var balancer = Pool.Build(LoadBalancingAlgorithm.LeastResponseTime, endpoints, time: clock);
        var slowLatency = TimeSpan.FromMilliseconds(60);

        Run(balancer, clock, 2000, e => ReferenceEquals(e, slow) ? slowLatency : TimeSpan.FromMilliseconds(10));
        var whileSlow = Run(balancer, clock, 2000, e => ReferenceEquals(e, slow) ? slowLatency : TimeSpan.FromMilliseconds(10));
        Assert.True(whileSlow < 0.01 * 2000, $"slow endpoint still got {whileSlow} of 2000 picks");

        // It recovers. Its old estimate decays (τ = 10 s) while the others keep being measured at 10 ms, so it is
        // tried again within ~20 s of traffic and, now fast, gets its share back.
        Run(balancer, clock, 4000, _ => TimeSpan.FromMilliseconds(10));
        var afterRecovery = Run(balancer, clock, 3000, _ => TimeSpan.FromMilliseconds(10));
        var fairShare = 3000.0 / count;
        Assert.True(afterRecovery >= 0.5 * fairShare, $"recovered endpoint got {afterRecovery} of 3000 picks (fair share {fairShare:F0})");
    }

    [Fact]
    public void In_flight_requests_raise_the_cost_of_an_otherwise_fast_endpoint()
    {
        var clock = new FakeTimeProvider();
        var endpoints = Pool.Uniform(2);
        var balancer = Pool.Build(LoadBalancingAlgorithm.LeastResponseTime, endpoints, time: clock);
        Observe(endpoints[0], TimeSpan.FromMilliseconds(10));
        Observe(endpoints[1], TimeSpan.FromMilliseconds(30));
        Assert.Same(endpoints[0], balancer.Pick(PickContext.None));

        for (var i = 0; i < 3; i++)
        {
            endpoints[0].OnRequestStarted(); // cost 10 × 4 = 40 > 30 × 1
        }

        Assert.Same(endpoints[1], balancer.Pick(PickContext.None));
    }

    [Fact]
    public void Peak_ewma_takes_a_slower_sample_at_once_and_decays_with_time()
    {
        var clock = new FakeTimeProvider();
        var endpoint = Pool.Uniform(1)[0];
        Pool.Build(LoadBalancingAlgorithm.LeastResponseTime, [endpoint], time: clock);

        Observe(endpoint, TimeSpan.FromMilliseconds(10));
        Observe(endpoint, TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100).Ticks, endpoint.Latency.Estimate(clock.GetTimestamp()), 3);

        clock.Advance(EndpointLatency.LatencyDecay); // one τ: e^-1 of the estimate remains
        Assert.Equal(TimeSpan.FromMilliseconds(100).Ticks * Math.Exp(-1), endpoint.Latency.Estimate(clock.GetTimestamp()), 3);
    }

    private static void Observe(EndpointState endpoint, TimeSpan latency)
    {
        endpoint.OnRequestStarted();
        endpoint.OnRequestFinished(latency);
    }

    /// <summary>Sequential requests, 10 ms of clock apart, each finishing with the endpoint's latency; returns how
    /// many went to endpoint 0.</summary>
    private static int Run(ILoadBalancer balancer, FakeTimeProvider clock, int requests, Func<EndpointState, TimeSpan> latency)
    {
        var toFirst = 0;
        for (var i = 0; i < requests; i++)
        {
            var chosen = balancer.Pick(PickContext.None)!;
            toFirst += ReferenceEquals(chosen, balancer.Endpoints[0]) ? 1 : 0;
            chosen.OnRequestStarted();
            clock.Advance(TimeSpan.FromMilliseconds(10));
            chosen.OnRequestFinished(latency(chosen));
        }

        return toFirst;
    }
}
