using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// The health checks' own HTTP client for one pool, separate from the proxy's connection pool so probes
/// neither queue behind traffic nor keep a dead backend's pooled connection looking alive. HTTP/1.1 probes
/// open a fresh connection each time (as HAProxy does), which also checks that the backend still accepts;
/// HTTP/2 and gRPC probes reuse their connection.
/// </summary>
public sealed class ProbeTransport : IDisposable
{
    private readonly SocketsHttpHandler _handler;

    public ProbeTransport(PoolSnapshot pool, ActiveHealthSnapshot check)
    {
        Http2 = pool.Protocol is Model.Resources.PoolProtocol.HTTP2 or Model.Resources.PoolProtocol.GRPC
            || check.Kind == ActiveCheckKind.Grpc;
        Scheme = pool.Tls is null ? "http" : "https";
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            ConnectTimeout = check.Timeout > TimeSpan.Zero ? check.Timeout : TimeSpan.FromSeconds(1),
            PooledConnectionLifetime = Http2 ? TimeSpan.FromMinutes(5) : TimeSpan.Zero,
        };
        if (pool.Tls is { } tls)
        {
            _handler.SslOptions = TlsOptions(tls);
        }

        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public HttpMessageInvoker Invoker { get; }
    public SocketsHttpHandler Handler => _handler;
    public bool Http2 { get; }
    public string Scheme { get; }

    public Version Version => Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
    public HttpVersionPolicy VersionPolicy => Http2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower;

    private static SslClientAuthenticationOptions TlsOptions(BackendTlsSnapshot tls)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = tls.ServerName };
        if (tls.InsecureSkipVerify)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (tls.CaPem is { Length: > 0 } pem)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(pem);
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (tls.ClientCertificatePem is { Length: > 0 } cert && tls.ClientKeyPem is { Length: > 0 } key)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPem(cert, key)];
        }

        return options;
    }

    public void Dispose()
    {
        Invoker.Dispose();
        _handler.Dispose();
    }
}
