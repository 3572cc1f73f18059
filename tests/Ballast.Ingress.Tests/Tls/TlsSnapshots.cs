using System.Net;
using Ballast.Model.Snapshots;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Tls;

/// <summary>HTTPS listeners for hand-built snapshots.</summary>
public static class TlsSnapshots
{
    public static ListenerSnapshot HttpsListener(int port, ListenerTlsSnapshot tls, params RouteSnapshot[] routes) =>
        Listener(port, routes) with { Name = "https-" + port, Kind = ListenerKind.Https, Tls = tls };

    public static ListenerTlsSnapshot TlsWith(params ListenerCertificateSnapshot[] certificates) => new() { Certificates = [.. certificates] };

    public static HttpClient HttpsClient(TestPki pki, int port, string host, Version version, Action<System.Security.Cryptography.X509Certificates.X509Certificate?>? onHandshake = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            // The URL names the host (so SNI and name checks use it); every connection goes to 127.0.0.1.
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    onHandshake?.Invoke(cert);
                    // Trust only the test CA, and the name must match what we asked for.
                    return pki.Validate(cert) && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
                },
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{host}:{port}"),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }
}
