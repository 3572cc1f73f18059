using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Runtime;

/// <summary>RequestMirror's percent and fraction: exactly that share of consecutive requests, spread evenly.</summary>
public sealed class RouteMirrorSamplingTests
{
    private static RouteMirror Mirror(int numerator, int denominator)
    {
        var metrics = new IngressMetrics();
        var pool = new PoolRuntime(new PoolSnapshot { Id = "ns/mirror", Endpoints = [new EndpointSnapshot { Host = "127.0.0.1", Port = 1 }] },
            (endpoints, lb) => Ballast.Ingress.LoadBalancing.LoadBalancerRegistry.Create(endpoints, lb), metrics);
        return new RouteMirror(new MirrorSnapshot("ns/mirror", numerator, denominator), pool, MirrorMetrics.Of(metrics.Registry), "r");
    }

    [Theory]
    [InlineData(100, 100, 1000, 1000)]
    [InlineData(0, 100, 1000, 0)]
    [InlineData(20, 100, 1000, 200)]
    [InlineData(1, 3, 999, 333)]
    [InlineData(2, 7, 700, 200)]
    public void Exactly_the_share_is_copied(int numerator, int denominator, int requests, int copied)
    {
        var mirror = Mirror(numerator, denominator);
        Assert.Equal(copied, Enumerable.Range(0, requests).Count(_ => mirror.Sample()));
    }

    [Fact]
    public void Copies_are_spread_evenly_one_in_every_denominator_over_numerator()
    {
        var mirror = Mirror(1, 4);
        var picks = Enumerable.Range(1, 12).Where(_ => mirror.Sample()).ToArray();
        Assert.Equal([4, 8, 12], picks);
    }
}
