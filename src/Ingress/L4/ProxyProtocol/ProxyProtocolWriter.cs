using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ballast.Model.Resources;

namespace Ballast.Ingress.L4.ProxyProtocol;

/// <summary>
/// Writes a PROXY protocol header (HAProxy's spec, v1 text or v2 binary) into a span so a backend learns the
/// real client address. Pure and allocation-free; the caller sends the bytes before any client byte.
/// </summary>
public static class ProxyProtocolWriter
{
    /// <summary>v1's longest line (TCP6 with two full addresses and ports, CRLF included) is 107 bytes.</summary>
    public const int MaxV1Length = 107;
    /// <summary>v2 with IPv6 addresses and no TLVs: 16-byte preamble + 36 bytes of addresses.</summary>
    public const int MaxV2Length = 52;
    public const int MaxLength = MaxV1Length;

    internal static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Writes the header and returns its length (0 for <see cref="ProxyProtocolVersion.None"/>).</summary>
    /// <param name="source">The client as the proxy saw it (or as an upstream PROXY header said).</param>
    /// <param name="destination">The address the client connected to (the listener's local end).</param>
    public static int Write(Span<byte> destinationBuffer, ProxyProtocolVersion version, IPEndPoint source, IPEndPoint destination, bool datagram = false)
    {
        var (src, dst) = SameFamily(source.Address, destination.Address);
        return version switch
        {
            ProxyProtocolVersion.None => 0,
            ProxyProtocolVersion.V1 => WriteV1(destinationBuffer, src, source.Port, dst, destination.Port),
            ProxyProtocolVersion.V2 => WriteV2(destinationBuffer, src, source.Port, dst, destination.Port, datagram),
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "unknown PROXY protocol version"),
        };
    }

    /// <summary>The spec wants both addresses in one family: unmap IPv4-mapped IPv6, and map IPv4 up when the other is IPv6.</summary>
    private static (IPAddress, IPAddress) SameFamily(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6) a = a.MapToIPv4();
        if (b.IsIPv4MappedToIPv6) b = b.MapToIPv4();
        if (a.AddressFamily == b.AddressFamily) return (a, b);
        return (a.MapToIPv6(), b.MapToIPv6());
    }

    private static int WriteV1(Span<byte> buffer, IPAddress src, int srcPort, IPAddress dst, int dstPort)
    {
        var n = 0;
        Append(buffer, ref n, "PROXY "u8);
        Append(buffer, ref n, src.AddressFamily == AddressFamily.InterNetwork ? "TCP4 "u8 : "TCP6 "u8);
        n += Format(buffer[n..], src);
        Append(buffer, ref n, " "u8);
        n += Format(buffer[n..], dst);
        Append(buffer, ref n, " "u8);
        n += FormatInt(buffer[n..], srcPort);
        Append(buffer, ref n, " "u8);
        n += FormatInt(buffer[n..], dstPort);
        Append(buffer, ref n, "\r\n"u8);
        return n;
    }

    private static int WriteV2(Span<byte> buffer, IPAddress src, int srcPort, IPAddress dst, int dstPort, bool datagram)
    {
        var v4 = src.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = v4 ? 12 : 36;
        if (buffer.Length < 16 + addressLength) throw new ArgumentException("buffer too small for a PROXY v2 header", nameof(buffer));
        V2Signature.CopyTo(buffer);
        buffer[12] = 0x21; // version 2, command PROXY
        buffer[13] = (byte)((v4 ? 0x10 : 0x20) | (datagram ? 0x02 : 0x01));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[14..], (ushort)addressLength);
        var ipLength = v4 ? 4 : 16;
        var at = buffer[16..];
        src.TryWriteBytes(at, out _);
        dst.TryWriteBytes(at[ipLength..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(at[(2 * ipLength)..], (ushort)srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(at[(2 * ipLength + 2)..], (ushort)dstPort);
        return 16 + addressLength;
    }

    private static void Append(Span<byte> buffer, ref int n, ReadOnlySpan<byte> text)
    {
        text.CopyTo(buffer[n..]);
        n += text.Length;
    }

    private static int Format(Span<byte> buffer, IPAddress address)
    {
        if (!((IUtf8SpanFormattable)address).TryFormat(buffer, out var written, default, null))
            throw new ArgumentException("buffer too small for a PROXY v1 header", nameof(buffer));
        return written;
    }

    private static int FormatInt(Span<byte> buffer, int value)
    {
        if (!value.TryFormat(buffer, out var written, default, null))
            throw new ArgumentException("buffer too small for a PROXY v1 header", nameof(buffer));
        return written;
    }
}
