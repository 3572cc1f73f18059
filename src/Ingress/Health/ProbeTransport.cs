using System.Net;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// The health checks' own HTTP client for one pool, separate from the proxy's connection pool so probes
/// neither queue behind traffic nor keep a dead backend's pooled connection looking alive. HTTP/1.1 probes
/// open a fresh connection each time (as HAProxy does), which also checks that the backend still accepts;
/// HTTP/2 and gRPC probes reuse their connection. TLS to the backend (the pool's <c>tls</c>) is set up by
/// <see cref="BackendTlsReporter.Configure"/>, exactly as for the pool's traffic: same trust, serverName sent as
/// SNI and checked, client certificate, and refusals counted in the same metric.
/// </summary>
public sealed class ProbeTransport : IDisposable
{
    private readonly SocketsHttpHandler _handler;

    /// <param name="backendTls">The host's re-encryption reporter (null: a private one, for tests).</param>
    public ProbeTransport(PoolSnapshot pool, ActiveHealthSnapshot check, BackendTlsReporter? backendTls = null)
    {
        Http2 = pool.Protocol is Model.Resources.PoolProtocol.HTTP2 or Model.Resources.PoolProtocol.GRPC
            || check.Kind == ActiveCheckKind.Grpc;
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
        if (pool.Tls is not null)
        {
            // A gRPC check on an HTTP/1 pool still speaks HTTP/2: offer h2 in ALPN as an HTTP/2 pool would.
            var tlsPool = Http2 && pool.Protocol == Model.Resources.PoolProtocol.HTTP1 ? pool with { Protocol = Model.Resources.PoolProtocol.HTTP2 } : pool;
            (backendTls ?? BackendTlsReporter.Of(new Prometheus.CollectorRegistry())).Configure(_handler, tlsPool);
        }

        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public HttpMessageInvoker Invoker { get; }
    public SocketsHttpHandler Handler => _handler;
    public bool Http2 { get; }
    /// <summary>Always http: with re-encryption, TLS is negotiated underneath, in the handler's connect callback.</summary>
    public string Scheme => "http";

    public Version Version => Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
    public HttpVersionPolicy VersionPolicy => Http2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower;

    public void Dispose()
    {
        Invoker.Dispose();
        _handler.Dispose();
    }
}
