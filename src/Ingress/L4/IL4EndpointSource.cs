using System.Net;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;

namespace Ballast.Ingress.L4;

/// <summary>
/// The narrow seam between the L4 listeners and a backend pool: everything a listener needs to place one
/// connection (or UDP session). The data plane implements it over its pool runtime (balancer, health,
/// backups already applied); tests implement it with a tiny round robin. <see cref="Pick"/> is called
/// concurrently and must not lock.
/// </summary>
public interface IL4EndpointSource
{
    /// <summary><c>namespace/name</c> of the pool: the metrics label.</summary>
    string PoolId { get; }

    /// <summary>How long one connect attempt may take before the next endpoint is tried.</summary>
    TimeSpan ConnectTimeout { get; }

    /// <summary>PROXY protocol header to send to the backend before any client byte.</summary>
    ProxyProtocolVersion ProxyProtocol { get; }

    /// <summary>When set, the pick is keyed by the client address (source-IP hashing algorithms).</summary>
    bool HashOnClientAddress { get; }

    /// <summary>
    /// When set, a UDP session's pick is keyed by its flow (client address and port, listener port) rather than the
    /// client address: each flow is placed on its own, and identically on every replica (<see cref="ClientAddressHash.OfFlow"/>).
    /// </summary>
    bool HashOnFlow => false;

    /// <summary>Pool-wide connection cap shared by every listener that routes here (circuitBreaker.maxConnections).</summary>
    ConnectionLimit Connections { get; }

    /// <summary>An endpoint, or null when the pool has none to offer.</summary>
    EndpointState? Pick(in PickContext context);

    /// <summary>
    /// Where a new flow (TCP connection, UDP session) goes: by default <see cref="Pick"/> keyed as
    /// <see cref="ClientAddressHash.Context"/> says. A pool with client-IP session affinity answers from its affinity
    /// table instead (shared through Redis between replicas). Retries after a failed connect use <see cref="Pick"/>.
    /// </summary>
    ValueTask<EndpointState?> PlaceAsync(IPEndPoint client, int listenerPort)
        => new(Pick(ClientAddressHash.Context(this, client, avoid: null, listenerPort)));

    /// <summary>
    /// A UDP flow opened on <paramref name="endpoint"/> (after <see cref="PlaceAsync"/>): a hashing pool tracks it in
    /// its flow table until the handle is disposed, so an endpoint-set change can pin it to its backend. Null: not tracked.
    /// </summary>
    IDisposable? TrackFlow(IPEndPoint client, int listenerPort, EndpointState endpoint) => null;

    /// <summary>Passive health: a connect attempt to <paramref name="endpoint"/> failed (refused, unreachable, timed out).</summary>
    void ReportConnectFailure(EndpointState endpoint);

    /// <summary>Passive health: a connect attempt succeeded (resets consecutive-failure counts).</summary>
    void ReportConnectSuccess(EndpointState endpoint);

    /// <summary>
    /// The source one new connection (UDP: session) uses. A plain pool is itself; a route split over several
    /// weighted pools chooses one here, once per connection, before anything else is read from it.
    /// </summary>
    IL4EndpointSource Choose() => this;
}
