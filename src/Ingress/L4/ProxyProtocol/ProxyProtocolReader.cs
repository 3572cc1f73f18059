using System.Buffers.Binary;
using System.Net;

namespace Ballast.Ingress.L4.ProxyProtocol;

/// <summary>
/// Parses a PROXY protocol header (v1 text or v2 binary) at the start of a connection accepted from an
/// upstream load balancer. Pure: feed it the bytes read so far; it says Incomplete, Invalid, or Complete
/// with how many bytes the header took. Sizes are bounded (v1 ≤ 107 bytes; v2 ≤ 16 + <see cref="MaxV2Payload"/>).
/// </summary>
public static class ProxyProtocolReader
{
    /// <summary>Largest v2 payload accepted (addresses plus TLVs such as AWS/GCP metadata); more is refused.</summary>
    public const int MaxV2Payload = 1024;
    public const int MaxHeaderLength = 16 + MaxV2Payload;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    public static ProxyHeaderStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        if (data.IsEmpty) return ProxyHeaderStatus.Incomplete;
        var sig = ProxyProtocolWriter.V2Signature;
        if (data[0] == sig[0])
        {
            var n = Math.Min(data.Length, sig.Length);
            if (!data[..n].SequenceEqual(sig[..n])) return ProxyHeaderStatus.Invalid;
            return data.Length < 16 ? ProxyHeaderStatus.Incomplete : ParseV2(data, out header, out consumed);
        }
        if (data[0] == (byte)'P')
        {
            var n = Math.Min(data.Length, V1Prefix.Length);
            if (!data[..n].SequenceEqual(V1Prefix[..n])) return ProxyHeaderStatus.Invalid;
            return ParseV1(data, out header, out consumed);
        }
        return ProxyHeaderStatus.Invalid;
    }

    /// <summary>
    /// The length of the v2 header at the start of a datagram, without building its addresses (allocation-free, for
    /// every datagram of a UDP session that is already open). False unless a whole, well-formed v2 header is there.
    /// </summary>
    public static bool TryMeasureV2(ReadOnlySpan<byte> datagram, out int consumed)
    {
        consumed = 0;
        var sig = ProxyProtocolWriter.V2Signature;
        if (datagram.Length < 16 || !datagram[..sig.Length].SequenceEqual(sig)) return false;
        return V2Length(datagram, out consumed) == ProxyHeaderStatus.Complete;
    }

    /// <summary>Version, command and length of a v2 header whose 12-byte signature has been checked.</summary>
    private static ProxyHeaderStatus V2Length(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        var versionCommand = data[12];
        if (versionCommand >> 4 != 2 || (versionCommand & 0x0F) > 1) return ProxyHeaderStatus.Invalid;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (length > MaxV2Payload) return ProxyHeaderStatus.Invalid;
        if (data.Length < 16 + length) return ProxyHeaderStatus.Incomplete;
        consumed = 16 + length;
        return ProxyHeaderStatus.Complete;
    }

    private static ProxyHeaderStatus ParseV2(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        var status = V2Length(data, out consumed);
        if (status != ProxyHeaderStatus.Complete) return status;
        var command = data[12] & 0x0F;
        var payload = data.Slice(16, consumed - 16);
        var length = payload.Length;
        if (command == 0)
        {
            header = new ProxyHeader(2, null, null); // LOCAL: the upstream's own connection (health check)
            return ProxyHeaderStatus.Complete;
        }
        var family = data[13] >> 4;
        var transport = data[13] & 0x0F;
        if (transport > 2) return ProxyHeaderStatus.Invalid;
        switch (family)
        {
            case 1:
                if (length < 12) return ProxyHeaderStatus.Invalid;
                header = new ProxyHeader(2,
                    new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..])),
                    new IPEndPoint(new IPAddress(payload[4..8]), BinaryPrimitives.ReadUInt16BigEndian(payload[10..])));
                return ProxyHeaderStatus.Complete;
            case 2:
                if (length < 36) return ProxyHeaderStatus.Invalid;
                header = new ProxyHeader(2,
                    new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..])),
                    new IPEndPoint(new IPAddress(payload[16..32]), BinaryPrimitives.ReadUInt16BigEndian(payload[34..])));
                return ProxyHeaderStatus.Complete;
            case 0:
            case 3: // UNSPEC or UNIX sockets: valid, but no IP to report
                header = new ProxyHeader(2, null, null);
                return ProxyHeaderStatus.Complete;
            default:
                return ProxyHeaderStatus.Invalid;
        }
    }

    private static ProxyHeaderStatus ParseV1(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        var window = data[..Math.Min(data.Length, ProxyProtocolWriter.MaxV1Length)];
        var lf = window.IndexOf((byte)'\n');
        if (lf < 0) return data.Length >= ProxyProtocolWriter.MaxV1Length ? ProxyHeaderStatus.Invalid : ProxyHeaderStatus.Incomplete;
        if (lf == 0 || window[lf - 1] != (byte)'\r') return ProxyHeaderStatus.Invalid;
        consumed = lf + 1;
        var bytes = window[V1Prefix.Length..(lf - 1)];
        Span<char> line = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is < 0x20 or > 0x7E) return ProxyHeaderStatus.Invalid; // printable ASCII only
            line[i] = (char)bytes[i];
        }
        Span<Range> parts = stackalloc Range[6];
        var count = line.Split(parts, ' ');
        var protocol = line[parts[0]];
        if (protocol.SequenceEqual("UNKNOWN"))
        {
            header = new ProxyHeader(1, null, null);
            return ProxyHeaderStatus.Complete;
        }
        if (count != 5) return ProxyHeaderStatus.Invalid;
        var v4 = protocol.SequenceEqual("TCP4");
        if (!v4 && !protocol.SequenceEqual("TCP6")) return ProxyHeaderStatus.Invalid;
        if (!TryAddress(line[parts[1]], v4, out var src) || !TryAddress(line[parts[2]], v4, out var dst)
            || !TryPort(line[parts[3]], out var srcPort) || !TryPort(line[parts[4]], out var dstPort))
        {
            return ProxyHeaderStatus.Invalid;
        }
        header = new ProxyHeader(1, new IPEndPoint(src, srcPort), new IPEndPoint(dst, dstPort));
        return ProxyHeaderStatus.Complete;
    }

    private static bool TryAddress(ReadOnlySpan<char> text, bool v4, out IPAddress address)
    {
        if (!IPAddress.TryParse(text, out address!)) return false;
        return (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) == v4;
    }

    private static bool TryPort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5 || (text.Length > 1 && text[0] == (byte)'0')) return false;
        foreach (var b in text)
        {
            if (b is < '0' or > '9') return false;
            port = port * 10 + (b - '0');
        }
        return port <= 65535;
    }
}
