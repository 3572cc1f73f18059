using System.Net;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.L4.Flows;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

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

    public PoolEndpointSource(PoolRuntime pool, ConnectionLimit connections, AffinityRouter? affinity = null, FlowTable? flows = null)
    {
        _pool = pool;
        PoolId = pool.Id;
        ConnectTimeout = pool.Config.ConnectTimeout;
        ProxyProtocol = pool.Config.ProxyProtocol;
        // No headers, cookies or paths at L4: a hashing algorithm hashes the client address — or, for a UDP pool
        // without client-IP affinity, each flow (client address and port, listener port), so that a client's flows
        // spread over the endpoints while every replica still places each one alike.
        var hashes = LoadBalancerRegistry.UsesKey(pool.Config.LoadBalancing.Algorithm);
        ClientAffinity = pool.Config.SessionAffinity is { Type: AffinityType.ClientIp } && affinity is not null;
        HashOnFlow = PlacesByFlow(pool.Config, affinity is not null);
        HashOnClientAddress = hashes && !HashOnFlow;
        Connections = connections;
        _affinity = affinity;
        _flows = HashOnFlow ? flows : null;
    }

    private readonly AffinityRouter? _affinity;
    private readonly FlowTable? _flows;

    /// <summary>
    /// Whether a pool places each UDP flow by its hash (a hashing algorithm, UDP, no client-IP affinity table): then
    /// <see cref="HashOnFlow"/>, and a <see cref="FlowTable"/> keeps the flows an endpoint-set change moves.
    /// </summary>
    public static bool PlacesByFlow(PoolSnapshot pool, bool affinityTable)
        => LoadBalancerRegistry.UsesKey(pool.LoadBalancing.Algorithm) && pool.Protocol == PoolProtocol.UDP
            && !(pool.SessionAffinity is { Type: AffinityType.ClientIp } && affinityTable);

    /// <summary>The pool pins clients by address (<c>sessionAffinity: ClientIp</c>) in the shared affinity table.</summary>
    public bool ClientAffinity { get; }
    public bool HashOnFlow { get; }

    public ValueTask<EndpointState?> PlaceAsync(IPEndPoint client, int listenerPort)
    {
        if (ClientAffinity) return _affinity!.ChooseForClientAsync(_pool.Config, _pool.Balancer, client.Address);
        if (_flows is not null && listenerPort != 0) return _flows.PlaceAsync(_pool.Balancer, ClientAddressHash.OfFlow(client, listenerPort));
        return new(Pick(ClientAddressHash.Context(this, client, avoid: null, listenerPort)));
    }

    public IDisposable? TrackFlow(IPEndPoint client, int listenerPort, EndpointState endpoint)
        => _flows is not null && listenerPort != 0 ? _flows.Track(ClientAddressHash.OfFlow(client, listenerPort), endpoint) : null;

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
