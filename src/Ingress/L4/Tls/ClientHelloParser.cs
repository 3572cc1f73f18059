using System.Buffers.Binary;

namespace Ballast.Ingress.L4.Tls;

public enum ClientHelloStatus
{
    /// <summary>The bytes so far are a valid prefix of a ClientHello: read more.</summary>
    Incomplete,
    /// <summary>The whole ClientHello was read; the server name (if any) was extracted.</summary>
    Complete,
    /// <summary>Not TLS, malformed, or larger than allowed: drop the connection.</summary>
    Invalid,
}

/// <summary>
/// Extracts the SNI host name from the first bytes of a TLS connection without terminating TLS.
/// Pure, span-based and allocation-free: the caller supplies a scratch buffer for a ClientHello split over
/// several TLS records (legal, and used by some clients with large post-quantum key shares), and a buffer
/// for the host name, which comes back lower-cased with any trailing dot removed.
/// </summary>
public static class ClientHelloParser
{
    public const int MaxHostNameLength = 255;
    private const int RecordHeader = 5;
    private const int HandshakeHeader = 4;
    private const int MaxRecordPayload = 16384 + 2048; // TLS 1.2's TLSCiphertext bound; plaintext hellos stay below it

    /// <param name="data">Bytes read from the client so far.</param>
    /// <param name="scratch">Reassembly space for a ClientHello spread over records; its length bounds the ClientHello's size.</param>
    /// <param name="hostName">Receives the lower-cased server name (at least <see cref="MaxHostNameLength"/> bytes).</param>
    /// <param name="hostNameLength">0 when the ClientHello carries no server_name.</param>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, Span<byte> scratch, Span<byte> hostName, out int hostNameLength)
    {
        hostNameLength = 0;
        var offset = 0;
        var gathered = 0;
        var handshakeLength = -1;
        while (true)
        {
            if (data.Length - offset < RecordHeader) return IncompleteUnlessTooBig(offset, scratch.Length);
            if (data[offset] != 0x16 || data[offset + 1] != 0x03) return ClientHelloStatus.Invalid;
            int recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 3)..]);
            if (recordLength == 0 || recordLength > MaxRecordPayload) return ClientHelloStatus.Invalid;
            var recordStart = offset + RecordHeader;
            var available = Math.Min(recordLength, data.Length - recordStart);
            var payload = data.Slice(recordStart, available);

            // Fast path: the first record holds the whole handshake message (nearly every client).
            if (offset == 0 && payload.Length >= HandshakeHeader)
            {
                if (payload[0] != 0x01) return ClientHelloStatus.Invalid;
                handshakeLength = ReadUInt24(payload[1..]);
                if (HandshakeHeader + handshakeLength > scratch.Length) return ClientHelloStatus.Invalid;
                if (HandshakeHeader + handshakeLength <= recordLength)
                {
                    if (payload.Length < HandshakeHeader + handshakeLength) return ClientHelloStatus.Incomplete;
                    return ParseBody(payload.Slice(HandshakeHeader, handshakeLength), hostName, out hostNameLength);
                }
            }

            if (available < recordLength) return ClientHelloStatus.Incomplete; // gather only whole records
            // Only the bytes up to the handshake's end matter (the length check above keeps them inside scratch).
            var take = Math.Min(recordLength, scratch.Length - gathered);
            if (take <= 0) return ClientHelloStatus.Invalid;
            payload[..take].CopyTo(scratch[gathered..]);
            gathered += take;
            offset = recordStart + recordLength;

            if (gathered >= HandshakeHeader)
            {
                if (scratch[0] != 0x01) return ClientHelloStatus.Invalid;
                handshakeLength = ReadUInt24(scratch[1..]);
                if (HandshakeHeader + handshakeLength > scratch.Length) return ClientHelloStatus.Invalid;
                if (gathered >= HandshakeHeader + handshakeLength)
                    return ParseBody(scratch.Slice(HandshakeHeader, handshakeLength), hostName, out hostNameLength);
            }
        }
    }

    private static ClientHelloStatus IncompleteUnlessTooBig(int consumed, int max)
        => consumed > max + RecordHeader * 8 ? ClientHelloStatus.Invalid : ClientHelloStatus.Incomplete;

    private static int ReadUInt24(ReadOnlySpan<byte> s) => (s[0] << 16) | (s[1] << 8) | s[2];

    /// <summary>Walks client_version, random, session_id, cipher_suites, compression_methods, then the extensions.</summary>
    private static ClientHelloStatus ParseBody(ReadOnlySpan<byte> body, Span<byte> hostName, out int hostNameLength)
    {
        hostNameLength = 0;
        var reader = new SpanReader(body);
        if (!reader.Skip(2 + 32)) return ClientHelloStatus.Invalid;
        if (!reader.ReadUInt8(out var sessionIdLength) || sessionIdLength > 32 || !reader.Skip(sessionIdLength)) return ClientHelloStatus.Invalid;
        if (!reader.ReadUInt16(out var cipherLength) || cipherLength < 2 || cipherLength % 2 != 0 || !reader.Skip(cipherLength)) return ClientHelloStatus.Invalid;
        if (!reader.ReadUInt8(out var compressionLength) || compressionLength < 1 || !reader.Skip(compressionLength)) return ClientHelloStatus.Invalid;
        if (reader.Remaining == 0) return ClientHelloStatus.Complete; // no extensions at all (old clients): no SNI
        if (!reader.ReadUInt16(out var extensionsLength) || extensionsLength != reader.Remaining) return ClientHelloStatus.Invalid;
        var sawServerName = false;
        while (reader.Remaining > 0)
        {
            if (!reader.ReadUInt16(out var type) || !reader.ReadUInt16(out var length) || !reader.Take(length, out var extension))
                return ClientHelloStatus.Invalid;
            if (type != 0) continue;
            if (sawServerName) return ClientHelloStatus.Invalid; // duplicate extensions are forbidden (RFC 8446 §4.2)
            sawServerName = true;
            var status = ParseServerName(extension, hostName, out hostNameLength);
            if (status != ClientHelloStatus.Complete) return status;
        }
        return ClientHelloStatus.Complete;
    }

    private static ClientHelloStatus ParseServerName(ReadOnlySpan<byte> extension, Span<byte> hostName, out int hostNameLength)
    {
        hostNameLength = 0;
        var reader = new SpanReader(extension);
        if (!reader.ReadUInt16(out var listLength) || listLength != reader.Remaining || listLength == 0) return ClientHelloStatus.Invalid;
        while (reader.Remaining > 0)
        {
            if (!reader.ReadUInt8(out var nameType) || !reader.ReadUInt16(out var nameLength) || !reader.Take(nameLength, out var name))
                return ClientHelloStatus.Invalid;
            if (nameType != 0 || hostNameLength > 0) continue; // only the first host_name counts
            if (name.Length > 0 && name[^1] == (byte)'.') name = name[..^1];
            if (name.IsEmpty || name.Length > MaxHostNameLength || name.Length > hostName.Length) return ClientHelloStatus.Invalid;
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                if (c is >= (byte)'A' and <= (byte)'Z') c = (byte)(c + 32);
                else if (!(c is >= (byte)'a' and <= (byte)'z' || c is >= (byte)'0' and <= (byte)'9' || c is (byte)'-' or (byte)'.' or (byte)'_'))
                    return ClientHelloStatus.Invalid; // raw non-ASCII or control bytes: a valid client sends IDNs as punycode
                hostName[i] = c;
            }
            hostNameLength = name.Length;
        }
        return ClientHelloStatus.Complete;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _rest = span;
        public readonly int Remaining => _rest.Length;

        public bool Skip(int count)
        {
            if (_rest.Length < count) return false;
            _rest = _rest[count..];
            return true;
        }

        public bool ReadUInt8(out int value)
        {
            value = 0;
            if (_rest.Length < 1) return false;
            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        public bool ReadUInt16(out int value)
        {
            value = 0;
            if (_rest.Length < 2) return false;
            value = BinaryPrimitives.ReadUInt16BigEndian(_rest);
            _rest = _rest[2..];
            return true;
        }

        public bool Take(int count, out ReadOnlySpan<byte> taken)
        {
            taken = default;
            if (_rest.Length < count) return false;
            taken = _rest[..count];
            _rest = _rest[count..];
            return true;
        }
    }
}
