using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ballast.Testing;

/// <summary>A throwaway self-signed certificate (ECDSA P-256, valid 30 days) as PEM, for tests that only need one to load.</summary>
public static class SelfSignedCertificate
{
    public static (string CertificatePem, string KeyPem) Create(string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
