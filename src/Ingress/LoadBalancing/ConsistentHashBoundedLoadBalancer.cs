using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018; as in HAProxy's
/// hash-balance-factor and Envoy): walk the ring clockwise from the key and take the first endpoint whose
/// in-flight count is below its capacity ceil((1+ε)·(total in-flight + 1)·weight/total weight), i.e. no endpoint
/// goes above (1+ε) times its share of the load. Keys stay where they hash while their endpoint is not
/// overloaded, and overflow spills to the ring neighbours.
/// Cost: the capacity needs the pool's total in-flight, an O(n) sum of the counters; it is computed only when
/// the first candidate is busy (an idle endpoint is always under capacity), so a lightly loaded pool pays
/// O(log points) like ConsistentHash. Avoid: the avoided endpoint is walked past like a full one.
/// </summary>
internal sealed class ConsistentHashBoundedLoadBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly int[] _weights;
    private readonly long _totalWeight;
    private readonly HashRing _ring;
    private readonly double _factor;
    private readonly Random _random;

    public ConsistentHashBoundedLoadBalancer(ImmutableArray<EndpointState> endpoints, int virtualNodes, double epsilon, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = [.. endpoints.Select(Weights.Of)];
        _totalWeight = _weights.Sum(w => (long)w);
        _ring = new HashRing(endpoints, virtualNodes);
        _factor = 1 + epsilon;
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var ring = _ring;
        var avoid = endpoints.Length > 1 ? context.Avoid : null;
        var position = context.HasKey ? ring.PositionOf(context.KeyHash) : _random.Next(ring.Length);
        var firstChoice = -1;
        long totalInFlight = -1; // summed on first need
        for (var step = 0; step < ring.Length; step++, position = ring.Next(position))
        {
            var index = ring.OwnerAt(position);
            var candidate = endpoints[index];
            if (ReferenceEquals(candidate, avoid))
            {
                continue;
            }

            if (firstChoice < 0)
            {
                firstChoice = index;
            }

            var load = candidate.Load.InFlight;
            if (load <= 0)
            {
                return candidate;
            }

            if (totalInFlight < 0)
            {
                totalInFlight = TotalInFlight(endpoints);
            }

            var capacity = Math.Ceiling(_factor * (totalInFlight + 1) * _weights[index] / _totalWeight);
            if (load + 1 <= capacity)
            {
                return candidate;
            }
        }

        // Only reachable when counters moved under us mid-walk: the key's own endpoint.
        return firstChoice < 0 ? null : endpoints[firstChoice];
    }

    private static long TotalInFlight(EndpointState[] endpoints)
    {
        long total = 0;
        foreach (var endpoint in endpoints)
        {
            total += Math.Max(0, endpoint.Load.InFlight);
        }

        return total;
    }
}
