using System.Text;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// Kestrel's hook into header decoding (<c>RequestHeaderEncodingSelector</c>, asked once per received field)
/// used to hold <c>Content-Length</c> to RFC 9110 §8.6's <c>1*DIGIT</c>: Kestrel's own parse accepts a sign
/// (<c>+5</c> was forwarded as 5). A value that is not all digits fails to decode, which Kestrel answers with
/// 400 and a closed connection before any request reaches the proxy. <c>Connection</c> is decoded by
/// <see cref="NominatedFields.FieldDecoder"/>, which keeps the names a client nominates before Kestrel rewrites the value.
/// Every other field keeps Kestrel's default decoding (the selector returns null), so the normal path pays two
/// reference comparisons per field (and a case-insensitive comparison for names Kestrel did not intern).
/// </summary>
public static class StrictFieldEncoding
{
    public static Encoding? Select(string fieldName) =>
        ReferenceEquals(fieldName, Microsoft.Net.Http.Headers.HeaderNames.ContentLength) ||
        fieldName.Equals(Microsoft.Net.Http.Headers.HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
            ? DigitsOnly.Instance
            : ReferenceEquals(fieldName, Microsoft.Net.Http.Headers.HeaderNames.Connection) ||
              fieldName.Equals(Microsoft.Net.Http.Headers.HeaderNames.Connection, StringComparison.OrdinalIgnoreCase)
                ? NominatedFields.FieldDecoder.Instance
                : null;

    /// <summary>ASCII digits only; anything else throws, which Kestrel turns into 400 (invalid request header).</summary>
    private sealed class DigitsOnly : Encoding
    {
        public static readonly DigitsOnly Instance = new();

        public override int GetByteCount(char[] chars, int index, int count) => count;

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
        {
            for (var i = 0; i < charCount; i++) bytes[byteIndex + i] = (byte)chars[charIndex + i];
            return charCount;
        }

        public override int GetCharCount(byte[] bytes, int index, int count) => GetCharCount(bytes.AsSpan(index, count));

        public override int GetCharCount(ReadOnlySpan<byte> bytes)
        {
            Check(bytes);
            return bytes.Length;
        }

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
            GetChars(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex));

        public override int GetChars(ReadOnlySpan<byte> bytes, Span<char> chars)
        {
            Check(bytes);
            for (var i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
            return bytes.Length;
        }

        public override string GetString(byte[] bytes, int index, int count) => GetString(bytes.AsSpan(index, count));

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "hides Encoding's instance overload of the same name")]
        public new string GetString(ReadOnlySpan<byte> bytes)
        {
            Check(bytes);
            return Latin1.GetString(bytes);
        }

        public override int GetMaxByteCount(int charCount) => charCount;

        public override int GetMaxCharCount(int byteCount) => byteCount;

        private static void Check(ReadOnlySpan<byte> value)
        {
            // Kestrel has trimmed the optional whitespace around the value; what is left must be 1*DIGIT. More
            // than 18 digits could overflow Kestrel's Int64 parse, which (with a custom decoder in place) would
            // end the connection without an answer; no body is that large anyway.
            if (value.IsEmpty || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                throw new InvalidOperationException("Content-Length must be 1*DIGIT (RFC 9110 §8.6)");
            }
        }
    }
}
