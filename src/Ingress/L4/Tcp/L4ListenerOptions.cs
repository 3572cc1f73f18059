using System.Net;
using Ballast.Ingress.L4.Metrics;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>Settings of one TCP or TLS-passthrough listener (from the snapshot's ListenerSnapshot plus data-plane defaults).</summary>
public sealed record L4ListenerOptions
{
    /// <summary>The listener's name: the metrics label.</summary>
    public required string Name { get; init; }
    public IPEndPoint Bind { get; init; } = new(IPAddress.Loopback, 0);
    /// <summary>Listener-wide cap on open connections; the excess is accepted and closed at once. Null: unlimited.</summary>
    public int? MaxConnections { get; init; }
    /// <summary>Expect a PROXY v1/v2 header from an upstream load balancer before the client's bytes.</summary>
    public bool AcceptProxyProtocol { get; init; }
    /// <summary>A connection with no byte in either direction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Deadline for the PROXY header and the TLS ClientHello to arrive in full.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Largest ClientHello accepted for SNI routing.</summary>
    public int MaxClientHelloBytes { get; init; } = 16 * 1024;
    /// <summary>Connect attempts per connection (each on another endpoint when one exists) before giving up.</summary>
    public int MaxConnectAttempts { get; init; } = 3;
    /// <summary>Size of each of the two pooled relay buffers of a connection.</summary>
    public int BufferSize { get; init; } = 32 * 1024;
    public int Backlog { get; init; } = 1024;
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public L4Metrics Metrics { get; init; } = L4Metrics.Default;
    /// <summary>Shared by every listener of a replica, so an endpoint can be drained across all of them.</summary>
    public L4ConnectionTracker Tracker { get; init; } = new();
}
