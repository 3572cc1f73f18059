using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// The endpoint with the least (in-flight + 1) / weight: the request about to be sent counts, so an idle pool
/// fills the heaviest endpoints first and a loaded one keeps in-flight proportional to weight. Compared by
/// cross-multiplication (no division, exact). O(n) scan like LeastConnections, from a random offset so ties
/// spread; stops early at an idle endpoint of the largest weight, which nothing can beat.
/// </summary>
internal sealed class WeightedLeastConnectionsBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly int[] _weights;
    private readonly int _maxWeight;
    private readonly Random _random;

    public WeightedLeastConnectionsBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = [.. endpoints.Select(Weights.Of)];
        _maxWeight = _weights.Max();
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var avoid = endpoints.Length > 1 ? context.Avoid : null;
        var start = _random.Next(endpoints.Length);
        var best = -1;
        long bestLoad = 0, bestWeight = 1;
        for (var n = 0; n < endpoints.Length; n++)
        {
            var i = start + n;
            if (i >= endpoints.Length)
            {
                i -= endpoints.Length;
            }

            var candidate = endpoints[i];
            if (ReferenceEquals(candidate, avoid))
            {
                continue;
            }

            long load = Math.Max(0, candidate.Load.InFlight) + 1;
            long weight = _weights[i];
            if (best < 0 || load * bestWeight < bestLoad * weight)
            {
                best = i;
                bestLoad = load;
                bestWeight = weight;
                if (load == 1 && weight == _maxWeight)
                {
                    break;
                }
            }
        }

        return best < 0 ? null : endpoints[best];
    }
}
