using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;

namespace Ballast.Ingress.Pools;

/// <summary>
/// Plain round robin, used only until LoadBalancerRegistry lands from the algorithms work; then deleted.
/// </summary>
internal sealed class TemporaryRoundRobin(ImmutableArray<EndpointState> endpoints) : ILoadBalancer
{
    private int _next = -1;

    public ImmutableArray<EndpointState> Endpoints { get; } = endpoints;

    public EndpointState? Pick(in PickContext context)
    {
        var items = Endpoints;
        if (items.IsEmpty) return null;
        var index = (uint)Interlocked.Increment(ref _next) % (uint)items.Length;
        return items[(int)index];
    }
}
