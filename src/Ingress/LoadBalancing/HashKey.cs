using System.IO.Hashing;
using System.Net;
using System.Runtime.InteropServices;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// 64-bit hashes of request keys (XxHash3, unseeded so every replica of the ingress maps a key alike).
/// Nothing here allocates: text is hashed as its UTF-16 bytes, an address through a stack buffer.
/// </summary>
public static class HashKey
{
    public static ulong Of(ReadOnlySpan<char> text) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text));

    /// <summary>Hash of the address bytes; an IPv4-mapped IPv6 address hashes as its IPv4 form, so a dual-stack
    /// listener maps a client the same way whichever form the socket reports.</summary>
    public static ulong Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return 0;
        }

        // ::ffff:a.b.c.d → its last four bytes (the IPv4 address).
        var key = address.IsIPv4MappedToIPv6 ? bytes.Slice(12, 4) : bytes[..written];
        return XxHash3.HashToUInt64(key);
    }

    /// <summary>Chains a further part into a hash (a header with several values).</summary>
    public static ulong Combine(ulong hash, ReadOnlySpan<char> text) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text), unchecked((long)hash));
}
