using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Ballast.Acme.Tests.Support;

/// <summary>A real TLS client on 127.0.0.1: connects with SNI, trusting only the given root (Pebble's).</summary>
internal static class TlsProbe
{
    /// <summary>Handshakes (the chain must build to <paramref name="root"/>); returns the served leaf.</summary>
    public static async Task<X509Certificate2> ServedCertificateAsync(int port, string hostname, X509Certificate2 root)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream());
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = hostname, CertificateChainPolicy = policy });
        return new X509Certificate2(tls.RemoteCertificate!);
    }
}
