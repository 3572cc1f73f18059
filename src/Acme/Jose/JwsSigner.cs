using System.Text;
using System.Text.Json;

namespace Ballast.Acme.Jose;

/// <summary>
/// Builds the flattened JSON serialization of a JWS (RFC 7515 §7.2.2) as RFC 8555 §6.2 wants it:
/// protected header with alg ES256, nonce, url and either <c>jwk</c> (newAccount) or <c>kid</c> (everything after).
/// </summary>
public static class JwsSigner
{
    /// <param name="payloadJson">UTF-8 JSON payload; empty for POST-as-GET (payload "").</param>
    /// <param name="kid">Account URL; null to send the public key as <c>jwk</c>.</param>
    public static byte[] Sign(AcmeAccountKey key, ReadOnlySpan<byte> payloadJson, Uri url, string nonce, string? kid)
    {
        var protectedJson = ProtectedHeader(key, url, nonce, kid);
        var protected64 = Base64Url.Encode(protectedJson);
        var payload64 = payloadJson.IsEmpty ? "" : Base64Url.Encode(payloadJson);
        var signature = key.SignEs256(Encoding.ASCII.GetBytes(protected64 + "." + payload64));

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", protected64);
            writer.WriteString("payload", payload64);
            writer.WriteString("signature", Base64Url.Encode(signature));
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    internal static byte[] ProtectedHeader(AcmeAccountKey key, Uri url, string nonce, string? kid)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            if (kid is null)
            {
                writer.WriteStartObject("jwk");
                foreach (var (name, value) in key.Jwk) writer.WriteString(name, value);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("kid", kid);
            }
            writer.WriteString("nonce", nonce);
            writer.WriteString("url", url.AbsoluteUri);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
