using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4;

/// <summary>
/// Builds the balancer's pick context for an L4 flow. Every replica computes the same key for the same flow (unseeded
/// hashes of what the flow carries), so a hashing pool (Maglev, consistent hash) sends it to the same endpoint whichever
/// replica receives it: that is what lets flows survive an active-active failover (docs/l4.md).
/// </summary>
/// <remarks>
/// XxHash64, where the HTTP request keys (<see cref="HashKey"/>) use XxHash3 over the same address bytes. Not merged
/// on purpose: the values are what replicas of different versions agree on, so switching algorithm would move every
/// flow of a hashing pool during a rolling upgrade or an active-active failover. Pinned by ClientAddressHashTests.
/// </remarks>
public static class ClientAddressHash
{
    /// <summary>XxHash64 of the address bytes as <see cref="HashKey.WriteAddress"/> writes them (IPv4-mapped IPv6 as IPv4, so dual-stack clients stay put).</summary>
    public static ulong Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return XxHash64.HashToUInt64(bytes[..HashKey.WriteAddress(address, bytes)]);
    }

    /// <summary>
    /// A UDP flow's key: its 5-tuple without the two parts every replica sees alike anyway — the protocol (one listener,
    /// one protocol) and the destination address (the VIP; a wildcard socket would learn it only per datagram). So:
    /// client address, client port, listener port.
    /// </summary>
    public static ulong OfFlow(IPEndPoint client, int listenerPort)
    {
        Span<byte> bytes = stackalloc byte[20];
        var written = HashKey.WriteAddress(client.Address, bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[written..], (ushort)client.Port);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[(written + 2)..], (ushort)listenerPort);
        return XxHash64.HashToUInt64(bytes[..(written + 4)]);
    }

    /// <param name="listenerPort">The port the flow arrived on (UDP flow keys); 0 when unknown.</param>
    public static PickContext Context(IL4EndpointSource source, IPEndPoint? client, EndpointState? avoid, int listenerPort = 0)
    {
        if (client is null) return new PickContext(0, hasKey: false, avoid: avoid);
        if (source.HashOnFlow && listenerPort != 0) return new PickContext(OfFlow(client, listenerPort), hasKey: true, avoid: avoid);
        return source.HashOnClientAddress
            ? new PickContext(Of(client.Address), hasKey: true, avoid: avoid)
            : new PickContext(0, hasKey: false, avoid: avoid);
    }
}
