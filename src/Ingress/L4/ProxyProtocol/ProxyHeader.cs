using System.Net;

namespace Ballast.Ingress.L4.ProxyProtocol;

/// <summary>
/// What an upstream load balancer's PROXY header said. <see cref="Source"/> is null for v1 <c>UNKNOWN</c>,
/// v2 <c>LOCAL</c> (health checks) and unsupported families: the connection's own peer address then stands.
/// </summary>
public readonly record struct ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);

public enum ProxyHeaderStatus
{
    /// <summary>More bytes are needed to decide.</summary>
    Incomplete,
    /// <summary>A full, valid header was read; <c>consumed</c> bytes belong to it, the rest to the stream.</summary>
    Complete,
    /// <summary>Not a PROXY header, or a malformed/oversized one: drop the connection.</summary>
    Invalid,
}
