using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>A retry names the endpoint that failed: every algorithm sends it elsewhere when it can.</summary>
public class AvoidTests
{
    public static TheoryData<LoadBalancingAlgorithm> All => [.. Enum.GetValues<LoadBalancingAlgorithm>()];

    [Theory]
    [MemberData(nameof(All))]
    public void Avoided_endpoint_is_never_returned_when_another_exists(LoadBalancingAlgorithm algorithm)
    {
        foreach (var weights in new[] { new[] { 1, 1 }, new[] { 5, 1, 1 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } })
        {
            var endpoints = Pool.Of(weights);
            var balancer = Pool.Build(algorithm, endpoints);
            for (var a = 0; a < endpoints.Length; a++)
            {
                var avoid = endpoints[a];
                for (var i = 0; i < 500; i++)
                {
                    var context = new PickContext(Pool.Key(i), hasKey: i % 2 == 0, avoid: avoid);
                    var chosen = balancer.Pick(context);
                    Assert.NotNull(chosen);
                    Assert.NotSame(avoid, chosen);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Avoided_endpoint_is_returned_when_it_is_the_only_one(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(1);
        var balancer = Pool.Build(algorithm, endpoints);

        Assert.Same(endpoints[0], balancer.Pick(new PickContext(Pool.Key(1), avoid: endpoints[0])));
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.IpHash)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHash)]
    [InlineData(LoadBalancingAlgorithm.Maglev)]
    public void A_retried_key_lands_on_the_same_spare_endpoint_each_time(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(5);
        var balancer = Pool.Build(algorithm, endpoints);
        for (var i = 0; i < 100; i++)
        {
            var first = balancer.Pick(Pool.KeyContext(i))!;
            var retry = new PickContext(Pool.Key(i), avoid: first);

            Assert.Same(balancer.Pick(retry), balancer.Pick(retry));
        }
    }
}
