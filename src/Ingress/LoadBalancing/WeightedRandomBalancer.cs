using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// A random endpoint with probability weight/total: Vose's alias table, O(1) (<see cref="AliasTable"/>).
/// Avoid (a retry, rare) uses the running sums instead: the avoided endpoint's slice is cut out of the range, so
/// the draw among the others stays exact, in O(log n).
/// </summary>
internal sealed class WeightedRandomBalancer : ILoadBalancer
{
    private readonly WeightedDraw _draw;

    public WeightedRandomBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _draw = new WeightedDraw(endpoints, random);
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var draw = _draw;
        var avoid = context.Avoid is null || draw.Count < 2 ? -1 : draw.IndexOf(context.Avoid);
        return draw[avoid >= 0 ? draw.SampleExcluding(avoid) : draw.Sample()];
    }
}
