using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>Position of each endpoint in a balancer's set, to turn <see cref="PickContext.Avoid"/> into an index
/// in O(1) without allocating (a read-only dictionary lookup).</summary>
internal sealed class EndpointIndex
{
    private readonly Dictionary<EndpointState, int> _positions;

    public EndpointIndex(ImmutableArray<EndpointState> endpoints)
    {
        _positions = new Dictionary<EndpointState, int>(endpoints.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < endpoints.Length; i++)
        {
            _positions.TryAdd(endpoints[i], i);
        }
    }

    /// <summary>The index of the endpoint to avoid, or −1 when there is none or it is not in this set.</summary>
    public int Of(EndpointState? endpoint) =>
        endpoint is not null && _positions.TryGetValue(endpoint, out var index) ? index : -1;
}
