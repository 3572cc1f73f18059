using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>A backend that terminates TLS itself with its own self-signed certificate and answers one line with its name.</summary>
internal sealed class TlsBackend : IAsyncDisposable
{
    private readonly TcpBackend _tcp;

    public TlsBackend(string name, string hostName)
    {
        Certificate = SelfSigned(hostName);
        _tcp = new TcpBackend(name, async s =>
        {
            await using var ssl = new SslStream(new NetworkStream(s, ownsSocket: false));
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate });
            using var reader = new StreamReader(ssl, Encoding.ASCII, leaveOpen: true);
            var line = await reader.ReadLineAsync();
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"{name}:{line}\n"));
            await ssl.FlushAsync();
            await ssl.ShutdownAsync();
        });
    }

    public X509Certificate2 Certificate { get; }
    public int Port => _tcp.Port;
    public int Accepted => _tcp.Accepted;

    public static X509Certificate2 SelfSigned(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostName);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }

    public ValueTask DisposeAsync() => _tcp.DisposeAsync();
}
