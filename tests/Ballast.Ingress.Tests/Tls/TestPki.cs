using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Tls;

/// <summary>A throw-away CA and the certificates it issues, as PEM (what a Secret or a file would hold).</summary>
public sealed class TestPki : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestPki(string name = "Ballast Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaPem = _ca.ExportCertificatePem();
    }

    public string CaPem { get; }
    public X509Certificate2 Ca => _ca;

    /// <summary>A server (and client) certificate for the DNS names, signed by this CA.</summary>
    public (string CertPem, string KeyPem, string Thumbprint) Issue(string subject, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames) san.AddDnsName(name);
        if (dnsNames.Length > 0) request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(_ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), cert.Thumbprint);
    }

    public ListenerCertificateSnapshot Certificate(string subject, params string[] dnsNames)
    {
        var (cert, key, _) = Issue(subject, dnsNames);
        return new ListenerCertificateSnapshot { Source = "test " + subject, CertificatePem = cert, KeyPem = key };
    }

    /// <summary>Validates a server certificate against this CA only (no system roots).</summary>
    public bool Validate(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        return chain.Build(new X509Certificate2(certificate));
    }

    /// <summary>Completes a TLS handshake with 127.0.0.1:port sending <paramref name="sni"/>; returns the server's leaf.</summary>
    public async Task<(X509Certificate2 Certificate, SslStream Stream)> HandshakeAsync(int port, string? sni, params SslApplicationProtocol[] alpn)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? "",
            ApplicationProtocols = alpn.Length > 0 ? [.. alpn] : null,
            // Names are checked by the test (it asks for specific certificates); trust is checked here.
            RemoteCertificateValidationCallback = (_, cert, _, _) => Validate(cert),
        });
        return (new X509Certificate2(ssl.RemoteCertificate!), ssl);
    }

    public void Dispose() => _ca.Dispose();
}
