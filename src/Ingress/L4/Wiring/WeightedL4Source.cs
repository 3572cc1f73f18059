using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;

namespace Ballast.Ingress.L4.Wiring;

/// <summary>
/// An L4 route split over several weighted pools: <see cref="Choose"/> picks one pool per connection (UDP:
/// per session) with the same exact, lock-free smooth weighted order as the HTTP splits. The listeners call
/// <see cref="Choose"/> before anything else, so the other members are never read on this object.
/// </summary>
public sealed class WeightedL4Source : IL4EndpointSource
{
    private readonly IL4EndpointSource[] _pools;
    private readonly WeightedSequence _sequence;

    public WeightedL4Source(IReadOnlyList<(IL4EndpointSource Pool, int Weight)> backends)
    {
        if (backends.Count == 0) throw new ArgumentException("an L4 route needs at least one backend", nameof(backends));
        _pools = [.. backends.Select(b => b.Pool)];
        _sequence = new WeightedSequence([.. backends.Select(b => b.Weight)]);
        if (_sequence.CycleLength == 0) throw new ArgumentException("every backend of the L4 route has weight 0", nameof(backends));
    }

    public IL4EndpointSource Choose() => _pools[_sequence.Next()];

    public IReadOnlyList<IL4EndpointSource> Pools => _pools;

    private static InvalidOperationException Unchosen() => new("a weighted L4 route is resolved per connection with Choose()");
    public string PoolId => throw Unchosen();
    public TimeSpan ConnectTimeout => throw Unchosen();
    public ProxyProtocolVersion ProxyProtocol => throw Unchosen();
    public bool HashOnClientAddress => throw Unchosen();
    public ConnectionLimit Connections => throw Unchosen();
    public EndpointState? Pick(in PickContext context) => throw Unchosen();
    public void ReportConnectFailure(EndpointState endpoint) => throw Unchosen();
    public void ReportConnectSuccess(EndpointState endpoint) => throw Unchosen();
}
