using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>Each endpoint in turn, weights ignored. One shared counter bumped with Interlocked: O(1), no lock.</summary>
internal sealed class RoundRobinBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private uint _next = uint.MaxValue; // the first Increment yields 0

    public RoundRobinBalancer(ImmutableArray<EndpointState> endpoints)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var index = Interlocked.Increment(ref _next) % (uint)endpoints.Length;
        var chosen = endpoints[index];
        if (ReferenceEquals(chosen, context.Avoid) && endpoints.Length > 1)
        {
            // A retry: the next endpoint in the rotation, without consuming a turn of the counter.
            chosen = endpoints[(index + 1) % (uint)endpoints.Length];
        }

        return chosen;
    }
}
