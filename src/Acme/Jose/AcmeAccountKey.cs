using System.Security.Cryptography;

namespace Ballast.Acme.Jose;

/// <summary>
/// The ACME account key: ECDSA P-256, signing ES256. Serialisable to PKCS#8 PEM so the operator can keep it
/// in a Secret (or the standalone ingress in a file) and find the same account again after a restart.
/// </summary>
public sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>The public key as JWK members (kty, crv, x, y), as newAccount's <c>jwk</c> header carries it.</summary>
    public IReadOnlyDictionary<string, string> Jwk { get; }

    /// <summary>RFC 7638 thumbprint of <see cref="Jwk"/>; the second half of every HTTP-01 key authorization.</summary>
    public string Thumbprint { get; }

    private AcmeAccountKey(ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        if (p.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            key.Dispose();
            throw new ArgumentException("The ACME account key must be an ECDSA P-256 key (ES256).");
        }
        _key = key;
        Jwk = new Dictionary<string, string>
        {
            ["crv"] = "P-256",
            ["kty"] = "EC",
            ["x"] = Base64Url.Encode(p.Q.X),
            ["y"] = Base64Url.Encode(p.Q.Y),
        };
        Thumbprint = JwkThumbprint.Compute(Jwk);
    }

    public static AcmeAccountKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM.</summary>
    public static AcmeAccountKey FromPem(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException("The ACME account key PEM is not an ECDSA private key: " + ex.Message, nameof(pem), ex);
        }
        return new AcmeAccountKey(key);
    }

    /// <summary>For tests with published keys (RFC 7515 A.3): the private scalar and public point.</summary>
    internal static AcmeAccountKey FromParameters(ECParameters parameters) => new(ECDsa.Create(parameters));

    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>ES256: SHA-256 then ECDSA, signature as r‖s (64 bytes, RFC 7518 §3.4), not DER.</summary>
    public byte[] SignEs256(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool VerifyEs256(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
