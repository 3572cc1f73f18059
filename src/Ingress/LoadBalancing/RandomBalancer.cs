using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>A uniformly random endpoint, weights ignored. O(1). With Avoid, one draw among the others (exact, O(1) + an index lookup).</summary>
internal sealed class RandomBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly EndpointIndex _index;
    private readonly Random _random;

    public RandomBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _index = new EndpointIndex(endpoints);
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var avoid = context.Avoid is null || endpoints.Length < 2 ? -1 : _index.Of(context.Avoid);
        if (avoid < 0)
        {
            return endpoints[_random.Next(endpoints.Length)];
        }

        var i = _random.Next(endpoints.Length - 1);
        return endpoints[i >= avoid ? i + 1 : i];
    }
}
