using System.Net;
using Ballast.Ingress.L4.Metrics;

namespace Ballast.Ingress.L4.Udp;

/// <summary>Settings of one UDP listener.</summary>
public sealed record UdpListenerOptions
{
    public required string Name { get; init; }
    public IPEndPoint Bind { get; init; } = new(IPAddress.Loopback, 0);
    /// <summary>A session with no datagram in either direction for this long is forgotten (its upstream socket closed).</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How often idle sessions are swept; null: a quarter of the idle timeout.</summary>
    public TimeSpan? SweepInterval { get; init; }
    /// <summary>Cap on concurrent sessions; datagrams from new clients beyond it are dropped (and counted). Null: unlimited.</summary>
    public int? MaxSessions { get; init; }
    /// <summary>Largest datagram relayed (the UDP maximum by default).</summary>
    public int MaxDatagramSize { get; init; } = 65507;
    /// <summary>
    /// Every datagram starts with a PROXY v2 header from an upstream balancer (as nginx's UDP <c>proxy_protocol</c> sends);
    /// the header's source is the client (hashing, the header towards the backend) and is stripped before relaying.
    /// Datagrams without a valid v2 header are dropped (v1 has no UDP form).
    /// </summary>
    public bool AcceptProxyProtocol { get; init; }
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public L4Metrics Metrics { get; init; } = L4Metrics.Default;
}
