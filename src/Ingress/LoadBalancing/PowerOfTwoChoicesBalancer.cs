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
    private readonly EndpointState[] _endpoints;
    private readonly CumulativeWeights _weights;
    private readonly AliasTable _alias;
    private readonly EndpointIndex _index;
    private readonly Random _random;

    public PowerOfTwoChoicesBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = new CumulativeWeights(endpoints);
        _alias = new AliasTable(endpoints);
        _index = new EndpointIndex(endpoints);
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var weights = _weights;
        if (endpoints.Length == 1)
        {
            return endpoints[0];
        }

        var avoid = context.Avoid is null ? -1 : _index.Of(context.Avoid);
        if (avoid >= 0)
        {
            if (endpoints.Length == 2)
            {
                return endpoints[1 - avoid];
            }

            // Two distinct draws among the others: both exclude the avoided endpoint's slice of the range.
            var a = weights.SampleExcluding(_random, avoid);
            return Lighter(endpoints, weights, a, weights.SampleExcluding(_random, avoid, a));
        }

        if (weights.IsUniform)
        {
            var a = _random.Next(endpoints.Length);
            return Lighter(endpoints, weights, a, weights.SampleExcluding(_random, a));
        }

        var first = _alias.Sample(_random);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var second = _alias.Sample(_random);
            if (second != first)
            {
                return Lighter(endpoints, weights, first, second);
            }
        }

        return Lighter(endpoints, weights, first, weights.SampleExcluding(_random, first));
    }

    private static EndpointState Lighter(EndpointState[] endpoints, CumulativeWeights weights, int a, int b)
    {
        long loadA = Math.Max(0, endpoints[a].InFlight) + 1, loadB = Math.Max(0, endpoints[b].InFlight) + 1;
        return loadB * weights.WeightAt(a) < loadA * weights.WeightAt(b) ? endpoints[b] : endpoints[a];
    }
}
