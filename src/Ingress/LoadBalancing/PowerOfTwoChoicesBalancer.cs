using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Power of two choices (Mitzenmacher): draw two distinct endpoints (weighted draws), send to the one with the
/// lower (in-flight + 1) / weight; on a tie the first draw wins, so an idle pool is served in weight proportion.
/// O(log n) for the weighted draws (O(1) with equal weights), and no herding: a stale view of one counter cannot
/// send every request to the same endpoint. With Avoid, the avoided endpoint is excluded from both draws.
/// </summary>
internal sealed class PowerOfTwoChoicesBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly CumulativeWeights _weights;
    private readonly EndpointIndex _index;
    private readonly Random _random;

    public PowerOfTwoChoicesBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = new CumulativeWeights(endpoints);
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

        var first = weights.Sample(_random);
        return Lighter(endpoints, weights, first, weights.SampleExcluding(_random, first));
    }

    private static EndpointState Lighter(EndpointState[] endpoints, CumulativeWeights weights, int a, int b)
    {
        long loadA = Math.Max(0, endpoints[a].InFlight) + 1, loadB = Math.Max(0, endpoints[b].InFlight) + 1;
        return loadB * weights.WeightAt(a) < loadA * weights.WeightAt(b) ? endpoints[b] : endpoints[a];
    }
}
