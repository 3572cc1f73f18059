using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// The endpoint with the fewest in-flight requests, weights ignored. A scan of every endpoint's counter: O(n),
/// inherently so without a lock, since counters change on every request (a heap would need one). The scan
/// starts at a random offset and keeps the first minimum it meets, so ties spread across endpoints instead of
/// herding onto the first one; it stops early at an idle endpoint, which nothing can beat.
/// </summary>
internal sealed class LeastConnectionsBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly Random _random;

    public LeastConnectionsBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var avoid = endpoints.Length > 1 ? context.Avoid : null;
        var start = _random.Next(endpoints.Length);
        EndpointState? best = null;
        var bestLoad = int.MaxValue;
        for (var n = 0; n < endpoints.Length; n++)
        {
            var i = start + n;
            var candidate = endpoints[i < endpoints.Length ? i : i - endpoints.Length];
            if (ReferenceEquals(candidate, avoid))
            {
                continue;
            }

            var load = candidate.Load.InFlight;
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
                if (load <= 0)
                {
                    break;
                }
            }
        }

        return best;
    }
}
