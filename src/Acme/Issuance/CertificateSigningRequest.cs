using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ballast.Acme.Issuance;

/// <summary>A fresh ECDSA P-256 key for the certificate and the CSR that names the hostnames as SANs.</summary>
internal static class CertificateSigningRequest
{
    public static (byte[] CsrDer, string PrivateKeyPem) Create(IReadOnlyList<string> hostnames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // CN is legacy; CAs read the SANs. Keep CN short: it is limited to 64 characters.
        var cn = hostnames.FirstOrDefault(h => h.Length <= 64);
        var subject = cn is null ? new X500DistinguishedName("") : new X500DistinguishedName("CN=" + cn);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hostnames) san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        return (request.CreateSigningRequest(), key.ExportPkcs8PrivateKeyPem());
    }
}
