using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ballast.Acme.Issuance;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// A real (local) CA standing in for ACME in the schedule tests: it signs genuine certificates with the
/// lifetime asked for, counts its calls, and fails with a given message while <see cref="FailWith"/> is set.
/// </summary>
internal sealed class LocalCaIssuer(TimeProvider time, TimeSpan lifetime) : ICertificateIssuer, IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private X509Certificate2? _ca;

    public int Calls { get; private set; }
    public string? FailWith { get; set; }

    public Task<IssuedCertificate> IssueAsync(IReadOnlyList<string> hostnames, CancellationToken ct)
    {
        Calls++;
        if (FailWith is not null) throw new InvalidOperationException(FailWith);
        return Task.FromResult(Issue(hostnames, time.GetUtcNow(), lifetime));
    }

    public IssuedCertificate Issue(IReadOnlyList<string> hostnames, DateTimeOffset notBefore, TimeSpan validFor)
    {
        _ca ??= new CertificateRequest("CN=local test CA", _caKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(notBefore.AddYears(-1), notBefore.AddYears(10));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hostnames[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hostnames) san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        using var leaf = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), notBefore, notBefore + validFor, RandomNumberGenerator.GetBytes(10));
        return new IssuedCertificate(leaf.ExportCertificatePem() + "\n" + _ca.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca?.Dispose();
        _caKey.Dispose();
    }
}
