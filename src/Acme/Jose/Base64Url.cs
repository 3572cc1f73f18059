namespace Ballast.Acme.Jose;

/// <summary>base64url without padding (RFC 7515 §2), the encoding of every JWS part and ACME binary field.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4)
        {
            case 2: s += "=="; break;
            case 3: s += "="; break;
            case 1: throw new FormatException($"'{text}' is not valid base64url (length {text.Length}).");
        }
        return Convert.FromBase64String(s);
    }
}
