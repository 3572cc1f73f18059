using System.Security.Cryptography;
using System.Text.Json;

namespace Ballast.Acme.Jose;

/// <summary>
/// RFC 7638 JWK thumbprint: SHA-256 over the JSON object of the key type's required members, in
/// lexicographic order, without whitespace. ACME uses it in the HTTP-01 key authorization.
/// </summary>
public static class JwkThumbprint
{
    /// <param name="jwk">The key's members (extra members such as alg/kid are ignored).</param>
    public static string Compute(IReadOnlyDictionary<string, string> jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        if (!jwk.TryGetValue("kty", out var kty)) throw new ArgumentException("The JWK has no 'kty' member.", nameof(jwk));
        string[] required = kty switch
        {
            "EC" => ["crv", "kty", "x", "y"],
            "RSA" => ["e", "kty", "n"],
            "oct" => ["k", "kty"],
            "OKP" => ["crv", "kty", "x"],
            _ => throw new ArgumentException($"The JWK 'kty' '{kty}' is not supported.", nameof(jwk)),
        };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) // compact by default: no whitespace, as RFC 7638 §3 requires
        {
            writer.WriteStartObject();
            foreach (var name in required)
            {
                if (!jwk.TryGetValue(name, out var value)) throw new ArgumentException($"The {kty} JWK has no '{name}' member.", nameof(jwk));
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
        }
        return Base64Url.Encode(SHA256.HashData(buffer.ToArray()));
    }
}
