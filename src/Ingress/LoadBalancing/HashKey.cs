using System.IO.Hashing;
using System.Net;
using System.Runtime.InteropServices;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// 64-bit hashes of request keys (XxHash3, unseeded so every replica of the ingress maps a key alike).
/// Nothing here allocates: text is hashed as its UTF-16 bytes, an address through a stack buffer.
/// </summary>
/// <remarks>
/// L4's placement keys (<c>L4/ClientAddressHash</c>) hash the same address bytes (<see cref="WriteAddress"/>) with
/// XxHash64 instead. Not merged on purpose: each algorithm's values are what replicas of different versions agree on
/// (HTTP hashing balancers and the affinity table, L4 client-IP affinity included, on these; L4 hashing pools on
/// those), so switching one to the other would move every client of that kind during a rolling upgrade or an
/// active-active failover, and rewrite the affinity table's keys in Redis. Pinned by HashKeyTests.
/// </remarks>
public static class HashKey
{
    public static ulong Of(ReadOnlySpan<char> text) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text));

    /// <summary>Hash of the address bytes as <see cref="WriteAddress"/> writes them.</summary>
    public static ulong Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return XxHash3.HashToUInt64(bytes[..WriteAddress(address, bytes)]);
    }

    /// <summary>
    /// Writes a client address's bytes at the start of <paramref name="destination"/> (16 bytes at least) and returns
    /// how many: an IPv4-mapped IPv6 address as its IPv4 form, so a dual-stack listener maps a client the same way
    /// whichever form the socket reports. Allocates nothing (unlike <see cref="IPAddress.MapToIPv4"/>).
    /// </summary>
    public static int WriteAddress(IPAddress address, Span<byte> destination)
    {
        if (!address.TryWriteBytes(destination, out var written)) throw new ArgumentException("an address needs 16 bytes", nameof(destination));
        if (!address.IsIPv4MappedToIPv6) return written;
        destination.Slice(12, 4).CopyTo(destination); // ::ffff:a.b.c.d → a.b.c.d
        return 4;
    }

    /// <summary>Chains a further part into a hash (a header with several values).</summary>
    public static ulong Combine(ulong hash, ReadOnlySpan<char> text) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text), unchecked((long)hash));
}
