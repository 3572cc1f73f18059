using System.IO.Hashing;
using System.Net;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.LoadBalancing;

namespace Ballast.Ingress.L4;

/// <summary>Builds the balancer's pick context for an L4 client: keyed by the client IP (not port) when the pool hashes.</summary>
public static class ClientAddressHash
{
    /// <summary>XxHash64 of the address bytes; IPv4-mapped IPv6 hashes like the IPv4 address so dual-stack clients stay put.</summary>
    public static ulong Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return XxHash64.HashToUInt64(bytes[..written]);
    }

    public static PickContext Context(IL4EndpointSource source, IPEndPoint? client, EndpointState? avoid)
        => source.HashOnClientAddress && client is not null
            ? new PickContext(Of(client.Address), hasKey: true, avoid: avoid)
            : new PickContext(0, hasKey: false, avoid: avoid);
}
