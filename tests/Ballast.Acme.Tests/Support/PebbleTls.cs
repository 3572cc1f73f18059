using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// The Debian package ships no certificate for Pebble's own HTTPS listener: we make a throwaway CA and a
/// localhost/127.0.0.1 leaf with .NET crypto, and trust that CA (only) in the test's HttpClient.
/// </summary>
internal sealed class PebbleTls : IDisposable
{
    public X509Certificate2 Ca { get; }
    public string LeafCertificatePem { get; }
    public string LeafKeyPem { get; }

    private PebbleTls(X509Certificate2 ca, string leafPem, string keyPem)
    {
        Ca = ca;
        LeafCertificatePem = leafPem;
        LeafKeyPem = keyPem;
    }

    public static PebbleTls Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Ballast test CA for Pebble", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return new PebbleTls(ca, leaf.ExportCertificatePem(), leafKey.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>An HttpClient that trusts exactly this CA (plus NoCheck: there is no revocation service offline).</summary>
    public static HttpClient TrustingClient(X509Certificate2 root)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(root);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => Ca.Dispose();
}
