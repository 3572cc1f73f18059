using System.Text;
using Ballast.Ingress.Http;
using Microsoft.AspNetCore.Connections;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// RFC 9110 §7.6.1 for requests: the fields a client names in <c>Connection</c> belong to its hop and are removed
/// before forwarding. Kestrel 10 hides those names from the proxy: <c>HttpHeaders.ParseConnection</c>, run while
/// it frames the request and before any middleware, replaces the whole value with the interned token when exactly
/// one of keep-alive, close or upgrade is present (<c>Connection: close, X-Secret</c> becomes <c>close</c>). So the
/// names are taken where the raw value is still in hand: Kestrel decodes the field through <see cref="FieldDecoder"/>
/// (chosen by <see cref="StrictFieldEncoding"/>), which hands a value naming anything beyond those three tokens to
/// the record of the connection it arrived on. The decoder is global, so it finds that record through an
/// <see cref="AsyncLocal{T}"/> that <see cref="TrackAsync"/>, a connection middleware, sets for the connection's
/// whole flow (Kestrel parses every HTTP/1.1 request of the connection inside it). The proxy takes the record at
/// the start of each request that carries <c>Connection</c> (<see cref="RequestFraming"/>).
/// Cost: per connection one small object and the AsyncLocal; per request nothing unless it has a Connection field,
/// and then one scan of that value (a value of standard tokens only records nothing).
/// </summary>
public sealed class NominatedFields
{
    private static readonly AsyncLocal<NominatedFields?> OfThisConnection = new();

    // HTTP/1.1 requests on one connection are parsed and served one after another: no concurrent access.
    private List<string>? _values;

    /// <summary>Connection middleware: gives the connection its record, as a connection feature and to the decoder.</summary>
    public static async Task TrackAsync(ConnectionDelegate next, ConnectionContext connection)
    {
        var record = new NominatedFields();
        connection.Features.Set(record);
        OfThisConnection.Value = record;
        await next(connection);
    }

    /// <summary>The Connection values of the current request that name fields beyond keep-alive/close/upgrade; cleared.</summary>
    public List<string>? Take()
    {
        var values = _values;
        _values = null;
        return values;
    }

    /// <summary>
    /// Removes the fields named in <paramref name="values"/> from <paramref name="headers"/>. False when one of them
    /// is a field the request cannot lose (Host, Content-Length, Transfer-Encoding: routing and framing depend on
    /// them, and RFC 9110 §7.6.1 forbids nominating a field meant for every recipient): the request is refused.
    /// </summary>
    public static bool Remove(IHeaderDictionary headers, List<string> values)
    {
        foreach (var value in values)
        {
            for (var tokens = new ConnectionTokens(value); tokens.MoveNext();)
            {
                var name = tokens.Current;
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ||
                    name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                headers.Remove(name.ToString());
            }
        }
        return true;
    }

    /// <summary>
    /// Kestrel's decoder for the request's Connection field (RFC 9110 §7.6.1: <c>#token</c>). A byte outside tchar,
    /// comma and optional whitespace fails the decoding, which Kestrel answers 400 with the connection closed: a
    /// Connection value the proxy cannot read is one whose hop-by-hop fields it cannot remove. A value naming
    /// anything beyond the three standard tokens is recorded for the connection.
    /// </summary>
    internal sealed class FieldDecoder : Encoding
    {
        public static readonly FieldDecoder Instance = new();

        public override int GetByteCount(char[] chars, int index, int count) => count;

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
        {
            for (var i = 0; i < charCount; i++) bytes[byteIndex + i] = (byte)chars[charIndex + i];
            return charCount;
        }

        public override int GetCharCount(byte[] bytes, int index, int count)
        {
            Check(bytes.AsSpan(index, count));
            return count;
        }

        // Kestrel decodes through Encoding.GetString(ReadOnlySpan<byte>), which counts and then fills the chars: the
        // value is recorded here, where it is produced, once per field line.
        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
        {
            var value = bytes.AsSpan(byteIndex, byteCount);
            Check(value);
            for (var i = 0; i < value.Length; i++) chars[charIndex + i] = (char)value[i];
            if (ConnectionTokens.NamesFields(chars.AsSpan(charIndex, byteCount)) && OfThisConnection.Value is { } mine)
            {
                (mine._values ??= []).Add(new string(chars, charIndex, byteCount));
            }
            return byteCount;
        }

        public override int GetMaxByteCount(int charCount) => charCount;

        public override int GetMaxCharCount(int byteCount) => byteCount;

        private static void Check(ReadOnlySpan<byte> value)
        {
            foreach (var b in value)
            {
                if (!IsTokenChar(b) && b is not ((byte)',' or (byte)' ' or (byte)'\t'))
                {
                    throw new InvalidOperationException("Connection must be a list of tokens (RFC 9110 §7.6.1)");
                }
            }
        }

        // tchar (RFC 9110 §5.6.2): ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
        private static bool IsTokenChar(byte b) =>
            b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' ||
            "!#$%&'*+-.^_`|~"u8.Contains(b);
    }
}
