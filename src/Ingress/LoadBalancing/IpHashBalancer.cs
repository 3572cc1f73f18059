using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// The seed's "IP hash": key hash modulo the total weight, mapped to the endpoint owning that slice (plain modulo
/// with equal weights). Stateless and cheap (O(log n) with weights), but adding or removing an endpoint changes
/// the modulus and reshuffles most keys, which is why ConsistentHash and Maglev exist. No key: a weighted random
/// endpoint. Avoid: the next endpoint in the set (deterministic, so a retried key keeps landing on the same spare).
/// </summary>
internal sealed class IpHashBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly CumulativeWeights _weights;
    private readonly Random _random;

    public IpHashBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = new CumulativeWeights(endpoints);
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var index = context.HasKey
            ? _weights.IndexOf((long)(context.KeyHash % (ulong)_weights.Total))
            : _weights.Sample(_random);
        var chosen = endpoints[index];
        if (ReferenceEquals(chosen, context.Avoid) && endpoints.Length > 1)
        {
            chosen = endpoints[index + 1 == endpoints.Length ? 0 : index + 1];
        }

        return chosen;
    }
}
