using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>Every weighted algorithm sends each endpoint its weight's share of 100,000 picks, ± 2 points.</summary>
public class WeightedShareTests
{
    private static readonly int[] Weights = [1, 2, 3, 4];

    [Theory]
    [InlineData(LoadBalancingAlgorithm.WeightedRoundRobin)]
    [InlineData(LoadBalancingAlgorithm.WeightedRandom)]
    public void Stateless_weighted_algorithms_honour_weights(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of(Weights);
        var counts = Pool.Count(Pool.Build(algorithm, endpoints), 100_000);

        Pool.AssertShares(counts, endpoints);
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.IpHash)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHash)]
    [InlineData(LoadBalancingAlgorithm.Maglev)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHashBoundedLoad)]
    public void Hashing_algorithms_give_each_endpoint_its_weight_share_of_keys(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of(Weights);
        var counts = Pool.Count(Pool.Build(algorithm, endpoints), 100_000, Pool.KeyContext);

        Pool.AssertShares(counts, endpoints);
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.IpHash)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHash)]
    [InlineData(LoadBalancingAlgorithm.Maglev)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHashBoundedLoad)]
    public void Hashing_algorithms_without_a_key_pick_at_random_by_weight(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of(Weights);
        var counts = Pool.Count(Pool.Build(algorithm, endpoints), 100_000);

        Pool.AssertShares(counts, endpoints);
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.WeightedLeastConnections)]
    [InlineData(LoadBalancingAlgorithm.PowerOfTwoChoices)]
    public void Load_aware_weighted_algorithms_honour_weights_under_load(LoadBalancingAlgorithm algorithm)
    {
        // Requests stay in flight (equal service times): in-flight per endpoint follows weight, so picks do too.
        var endpoints = Pool.Of(Weights);
        var counts = Pool.Simulate(Pool.Build(algorithm, endpoints), 100_000, concurrency: 200);

        Pool.AssertShares(counts, endpoints);
    }
}
