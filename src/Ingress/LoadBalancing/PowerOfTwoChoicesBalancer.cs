using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Power of two choices (Mitzenmacher): draw two distinct endpoints (weighted draws), send to the one with the
/// lower (in-flight + 1) / weight; on a tie the first draw wins, so an idle pool is served in weight proportion.
/// O(1): alias-table draws, the second redrawn until distinct (rejection, i.e. exactly the draw among the
/// others; after 3 misses, an exact O(log n) draw with the first's slice cut out), and no herding: a stale view of one counter cannot
/// send every request to the same endpoint. With Avoid, the avoided endpoint is excluded from both draws.
/// </summary>
internal sealed class PowerOfTwoChoicesBalancer : ILoadBalancer
{
    private readonly WeightedDraw _draw;

    public PowerOfTwoChoicesBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _draw = new WeightedDraw(endpoints, random);
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var draw = _draw;
        if (draw.Count == 1)
        {
            return draw[0];
        }

        var avoid = draw.IndexOf(context.Avoid);
        if (avoid >= 0)
        {
            if (draw.Count == 2)
            {
                return draw[1 - avoid];
            }

            // Two distinct draws among the others: both exclude the avoided endpoint's slice of the range.
            var a = draw.SampleExcluding(avoid);
            return Lighter(draw, a, draw.SampleExcluding(avoid, a));
        }

        if (draw.IsUniform)
        {
            var a = draw.Sample();
            return Lighter(draw, a, draw.SampleExcluding(a));
        }

        var first = draw.Sample();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var second = draw.Sample();
            if (second != first)
            {
                return Lighter(draw, first, second);
            }
        }

        return Lighter(draw, first, draw.SampleExcluding(first));
    }

    private static EndpointState Lighter(WeightedDraw draw, int a, int b)
    {
        long loadA = Math.Max(0, draw[a].Load.InFlight) + 1, loadB = Math.Max(0, draw[b].Load.InFlight) + 1;
        return loadB * draw.WeightAt(a) < loadA * draw.WeightAt(b) ? draw[b] : draw[a];
    }
}
