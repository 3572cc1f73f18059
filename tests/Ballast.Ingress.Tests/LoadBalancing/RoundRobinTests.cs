using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class RoundRobinTests
{
    [Fact]
    public void Visits_every_endpoint_in_turn_ignoring_weights()
    {
        var endpoints = Pool.Of(1, 5, 1);
        var balancer = Pool.Build(LoadBalancingAlgorithm.RoundRobin, endpoints);

        var picks = Enumerable.Range(0, 9).Select(_ => balancer.Pick(PickContext.None)).ToArray();

        Assert.Equal([.. endpoints, .. endpoints, .. endpoints], picks);
    }

    [Fact]
    public void Avoided_endpoint_is_skipped()
    {
        var endpoints = Pool.Uniform(3);
        var balancer = Pool.Build(LoadBalancingAlgorithm.RoundRobin, endpoints);

        for (var i = 0; i < 30; i++)
        {
            Assert.NotSame(endpoints[1], balancer.Pick(new PickContext(0, hasKey: false, avoid: endpoints[1])));
        }
    }
}
