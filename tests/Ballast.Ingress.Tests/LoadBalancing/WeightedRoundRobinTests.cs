using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class WeightedRoundRobinTests
{
    [Fact]
    public void Interleaves_like_nginx_smooth_weighted_round_robin()
    {
        var endpoints = Pool.Of(5, 1, 1); // nginx's example: a a b a c a a
        var balancer = Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints);

        var picks = Enumerable.Range(0, 7).Select(_ => balancer.Pick(PickContext.None)!).ToArray();

        Assert.Equal([endpoints[0], endpoints[0], endpoints[1], endpoints[0], endpoints[2], endpoints[0], endpoints[0]], picks);
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3, 4 })]
    [InlineData(new[] { 10, 1, 1 })]
    [InlineData(new[] { 7, 3, 20, 1, 1 })]
    public void Honours_weights_within_two_points(int[] weights)
    {
        var endpoints = Pool.Of(weights);
        var counts = Pool.Count(Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints), 100_000);

        Pool.AssertShares(counts, endpoints);
    }

    [Theory]
    [InlineData(new[] { 5, 1, 1 })]
    [InlineData(new[] { 1, 2, 3, 4 })]
    [InlineData(new[] { 100, 1 })]
    [InlineData(new[] { 3, 3, 9, 1, 6 })]
    public void Never_picks_one_endpoint_more_than_its_weight_in_a_row(int[] weights)
    {
        var endpoints = Pool.Of(weights);
        var balancer = Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints);

        AssertRunsWithinWeight(balancer, endpoints, 10_000);
    }

    [Fact]
    public void Long_cycles_beyond_the_unrolled_table_still_honour_weights_and_runs()
    {
        // Sum of reduced weights 1000 × 37 + … exceeds the unrolled table, so the interleaved sequence is used.
        var weights = Enumerable.Range(0, 1000).Select(i => 1 + i % 73).ToArray();
        var endpoints = Pool.Of(weights);
        Assert.Null(SmoothWeightedSequence.TryBuild(endpoints));
        var balancer = Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints);

        var picks = (int)new InterleavedWeightedSequence(endpoints).Length; // one full cycle: exact shares
        var counts = Pool.Count(balancer, picks);

        Assert.Equal(weights, counts);
        AssertRunsWithinWeight(Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints), endpoints, 2 * picks);
    }

    [Fact]
    public void Avoided_endpoint_is_skipped_even_when_heaviest()
    {
        var endpoints = Pool.Of(10, 1, 1);
        var balancer = Pool.Build(LoadBalancingAlgorithm.WeightedRoundRobin, endpoints);

        for (var i = 0; i < 100; i++)
        {
            Assert.NotSame(endpoints[0], balancer.Pick(new PickContext(0, hasKey: false, avoid: endpoints[0])));
        }
    }

    private static void AssertRunsWithinWeight(ILoadBalancer balancer, ImmutableArray<EndpointState> endpoints, int picks)
    {
        EndpointState? previous = null;
        var run = 0;
        for (var i = 0; i < picks; i++)
        {
            var chosen = balancer.Pick(PickContext.None)!;
            run = ReferenceEquals(chosen, previous) ? run + 1 : 1;
            previous = chosen;
            Assert.True(run <= chosen.Weight, $"{chosen} (weight {chosen.Weight}) picked {run} times in a row at pick {i}");
        }
    }
}
