using System.Net;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Endpoints;

/// <summary>
/// The live state of one backend endpoint, built from small parts as YARP's <c>DestinationState</c> is:
/// <see cref="Health"/> (written by the health stage), <see cref="Load"/> (requests in flight),
/// <see cref="Latency"/> (the peak-EWMA estimate) and <see cref="Series"/> (whether its metric series were
/// retired). One instance per endpoint id for as long as the endpoint is in some snapshot (or draining):
/// snapshots come and go, counters and health carry over. Every part is read lock-free on the hot path and
/// written with Interlocked/Volatile.
/// </summary>
public sealed class EndpointState
{
    private string? _destinationPrefix;
    private Tuple<EndpointSnapshot, EndPoint>? _socketAddress;

    public EndpointState(EndpointSnapshot config)
    {
        Config = config;
        Id = config.Id;
    }

    /// <summary><c>host:port</c>; the identity that carries the endpoint's state across snapshots.</summary>
    public string Id { get; }

    /// <summary>The endpoint as the current snapshot describes it (weight, backup …); replaced on reload.</summary>
    public EndpointSnapshot Config { get; internal set; }

    public int Weight => Config.Weight;
    public bool IsBackup => Config.Backup;

    /// <summary>Active and passive health, slow start and draining (see <see cref="EndpointHealth"/>).</summary>
    public EndpointHealth Health { get; } = new();

    /// <summary>Requests (or L4 connections) in flight.</summary>
    public EndpointLoad Load { get; } = new();

    /// <summary>Peak-EWMA response time, for the latency-aware balancers.</summary>
    public EndpointLatency Latency { get; } = new();

    /// <summary>Whether the endpoint's metric series were deleted.</summary>
    public EndpointSeries Series { get; } = new();

    /// <summary>Terminating (the snapshot says so) or removed: no new requests while anything else remains.</summary>
    public bool IsDraining => Config.Draining || Health.IsRemoved;

    /// <summary>
    /// The weight weighted balancers should use: <c>Weight × SlowStartTenths</c> (at least 1), i.e.
    /// <c>Weight × 10</c> at full weight. Read when a balancer is built; the health layer rebuilds the pool's
    /// balancer at every slow-start step so the ramp takes effect.
    /// </summary>
    public int EffectiveWeight => Math.Max(1, Math.Max(1, Weight) * Health.SlowStartTenths);

    /// <summary>Called by the proxy (or the L4 path) just before a request is sent to this endpoint.</summary>
    public void OnRequestStarted() => Load.Increment();

    /// <summary>Called when that request ends, whatever its outcome, with how long it took.</summary>
    public void OnRequestFinished(TimeSpan elapsed)
    {
        Load.Decrement();
        Latency.Record(elapsed);
    }

    /// <summary><c>http://host:port</c> for the forwarder, built once per endpoint (not per request).</summary>
    public string DestinationPrefix => _destinationPrefix ??= "http://" + Id;

    /// <summary>
    /// For the L4 path: an <see cref="IPEndPoint"/> for an IP literal, a <see cref="DnsEndPoint"/> for a host name
    /// (resolved by the socket at connect time). Cached against <see cref="Config"/>, so a reload that changes the
    /// address is seen.
    /// </summary>
    public EndPoint SocketAddress
    {
        get
        {
            var cached = Volatile.Read(ref _socketAddress);
            var config = Config;
            if (cached is not null && ReferenceEquals(cached.Item1, config)) return cached.Item2;
            EndPoint address = IPAddress.TryParse(config.Host, out var ip) ? new IPEndPoint(ip, config.Port) : new DnsEndPoint(config.Host, config.Port);
            Volatile.Write(ref _socketAddress, Tuple.Create(config, address));
            return address;
        }
    }

    public override string ToString() => Id;
}
