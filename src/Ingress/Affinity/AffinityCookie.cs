using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// The affinity cookie's value: 29 bytes, base64url (39 characters).
/// <code>version(1) | expiry, unix seconds (4, big-endian) | endpoint tag (8) | MAC (16)</code>
/// The endpoint tag is a keyed hash of (pool id, endpoint id), so a client cannot read which endpoint it names;
/// the MAC (HMAC-SHA256 truncated to 128 bits, over the first 13 bytes and the pool key) stops forgery, moving a
/// cookie to another pool, and extending its expiry. Stateless: any replica with the same keys verifies it.
/// Verification allocates nothing (stack buffers, static HMAC).
/// </summary>
public static class AffinityCookie
{
    public const byte Version = 1;
    public const int PayloadLength = 13;
    public const int MacLength = 16;
    public const int Length = PayloadLength + MacLength;
    public const int EncodedLength = 39;

    /// <summary>The tag of an endpoint under one key: the first 8 bytes of HMAC(key, "pool\nendpoint").</summary>
    public static ulong EndpointTag(byte[] key, string poolId, string endpointId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(poolId + "\n" + endpointId), mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    public static string Encode(byte[] key, ulong poolKey, ulong endpointTag, long expiresUnixSeconds)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[1..], (uint)Math.Clamp(expiresUnixSeconds, 0, uint.MaxValue));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[5..], endpointTag);
        Mac(key, bytes[..PayloadLength], poolKey, bytes[PayloadLength..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Verifies a cookie value against each key (newest first). True with the endpoint tag and the index of the key
    /// that verified it; false for anything malformed, forged, of another pool, or expired.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> value, ReadOnlySpan<byte[]> keys, ulong poolKey, long nowUnixSeconds,
        out ulong endpointTag, out int keyIndex, out long expiresUnixSeconds)
    {
        endpointTag = 0;
        keyIndex = -1;
        expiresUnixSeconds = 0;
        if (value.Length != EncodedLength) return false;
        Span<byte> bytes = stackalloc byte[Length];
        if (!Base64Url.TryDecodeFromChars(value, bytes, out var written) || written != Length || bytes[0] != Version) return false;
        Span<byte> expected = stackalloc byte[MacLength];
        for (var i = 0; i < keys.Length; i++)
        {
            Mac(keys[i], bytes[..PayloadLength], poolKey, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, bytes[PayloadLength..])) continue;
            expiresUnixSeconds = BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]);
            if (expiresUnixSeconds <= nowUnixSeconds) return false;
            endpointTag = BinaryPrimitives.ReadUInt64BigEndian(bytes[5..]);
            keyIndex = i;
            return true;
        }
        return false;
    }

    private static void Mac(byte[] key, ReadOnlySpan<byte> payload, ulong poolKey, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[PayloadLength + 8];
        payload.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[PayloadLength..], poolKey);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input, mac);
        mac[..MacLength].CopyTo(destination);
    }

    /// <summary>The first value of the cookie <paramref name="name"/> in the request's Cookie header lines, or empty.</summary>
    public static ReadOnlySpan<char> Find(Microsoft.Extensions.Primitives.StringValues headers, string name)
    {
        foreach (var value in new Http.CookieValues(headers, name)) return value;
        return [];
    }
}
