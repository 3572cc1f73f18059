using Ballast.Ingress.Runtime;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;

namespace Ballast.Ingress.L4.Wiring;

/// <summary>
/// The data plane's <see cref="IL4EndpointSource"/>: one pool of one snapshot. Settings (connect timeout, PROXY
/// version, hashing) are fixed when the snapshot is applied, so a connection sees one consistent pool; the pick
/// goes to the pool runtime's current balancer (which the runtime replaces when endpoints, health or backups
/// change), and the connection cap is the pool id's <see cref="ConnectionLimit"/>, kept across snapshots.
/// </summary>
public sealed class PoolEndpointSource : IL4EndpointSource
{
    private readonly PoolRuntime _pool;

    public PoolEndpointSource(PoolRuntime pool, ConnectionLimit connections)
    {
        _pool = pool;
        PoolId = pool.Id;
        ConnectTimeout = pool.Config.ConnectTimeout;
        ProxyProtocol = pool.Config.ProxyProtocol;
        // No headers, cookies or paths at L4: a hashing algorithm can only hash the client address.
        HashOnClientAddress = LoadBalancerRegistry.UsesKey(pool.Config.LoadBalancing.Algorithm);
        Connections = connections;
    }

    public string PoolId { get; }
    public TimeSpan ConnectTimeout { get; }
    public ProxyProtocolVersion ProxyProtocol { get; }
    public bool HashOnClientAddress { get; }
    public ConnectionLimit Connections { get; }
    public PoolRuntime Pool => _pool;

    public EndpointState? Pick(in PickContext context) => _pool.Balancer.Pick(context);

    // Passive health (the pool's outlier detector, when the pool configures one) sees L4 connects as the L7 path's attempts.
    public void ReportConnectFailure(EndpointState endpoint) => _pool.Health.Report(endpoint, AttemptOutcome.ConnectFailure);

    public void ReportConnectSuccess(EndpointState endpoint) => _pool.Health.Report(endpoint, AttemptOutcome.Connected);
}
