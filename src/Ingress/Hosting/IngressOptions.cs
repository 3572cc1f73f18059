using System.Net;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Listeners.Scheduling;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Redis;

namespace Ballast.Ingress.Hosting;

/// <summary>How to start an ingress process (or an in-process one in tests).</summary>
public sealed record IngressOptions
{
    /// <summary>Port of the admin listener (/metrics, /healthz, /readyz); 0 lets the OS choose (tests).</summary>
    public int AdminPort { get; init; } = 9901;
    /// <summary>
    /// Where the admin listener binds (<c>--admin-address</c>). Loopback unless told otherwise: the admin port shows the
    /// whole configuration (routes, pools, endpoints), so it is exposed only on purpose (the chart binds the pod IP).
    /// </summary>
    public IPAddress AdminAddress { get; init; } = IPAddress.Loopback;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Where logs go; null: nowhere (tests). The per-request categories are filtered out regardless.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
    /// <summary>The balancers per pool; null: the registry of algorithms.</summary>
    public BalancerFactory? Balancers { get; init; }
    /// <summary>
    /// Where each connection's request processing runs (<see cref="ConnectionScheduling"/>): by default per connection,
    /// inline for HTTP/1.x and TLS, on the thread pool for HTTP/2 with prior knowledge. Safe inline only because nothing
    /// on the proxy path blocks (no sync I/O, no sync-over-async). <c>BALLAST_INLINE_SCHEDULING=1</c> makes every
    /// connection inline, <c>=0</c> none (Kestrel's default).
    /// </summary>
    public ConnectionSchedulingMode Scheduling { get; init; } = SchedulingFromEnvironment();

    /// <summary>The process-wide default of <see cref="Scheduling"/>, from <c>BALLAST_INLINE_SCHEDULING</c>.</summary>
    public static ConnectionSchedulingMode SchedulingFromEnvironment() =>
        Environment.GetEnvironmentVariable("BALLAST_INLINE_SCHEDULING")?.Trim().ToLowerInvariant() switch
        {
            "0" or "false" => ConnectionSchedulingMode.ThreadPool,
            "1" or "true" => ConnectionSchedulingMode.Inline,
            _ => ConnectionSchedulingMode.PerConnection,
        };

    /// <summary>How long Apply waits for Kestrel to bind the snapshot's listeners before reporting not ready.</summary>
    public TimeSpan BindTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A client that opens a connection and sends nothing for this long is closed before protocol selection.</summary>
    public TimeSpan FirstBytesTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// A request whose head (HTTP/1.1 request line and fields, HTTP/2 HEADERS and CONTINUATION frames) is not complete
    /// this long after it began is refused: 408, or the HTTP/2 connection closed (see Listeners/EdgeLimits).
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The shared Redis of active-active replicas (affinity table, global limits); null: single replica, no Redis.</summary>
    public RedisOptions? Redis { get; init; }
    /// <summary>The keys that sign affinity cookies (same on every replica); null: a random key for this process.</summary>
    public AffinityKeyRing? AffinityKeys { get; init; }
    /// <summary>Most pins the local affinity table holds.</summary>
    public int AffinityTableCapacity { get; init; } = 100_000;
    /// <summary>
    /// Bind every proxy listener (HTTP and L4) on this address instead of the snapshot's (e.g. the pod IP; in
    /// tests, two replicas on one machine: 127.0.0.1 and 127.0.0.2). Null: the snapshot's addresses.
    /// </summary>
    public IPAddress? ListenerAddress { get; init; }
    /// <summary>
    /// Standalone ACME (see Acme/StandaloneAcme): run certificate managers for the policies' <c>tls.acme</c>
    /// listeners. Null: no managers (operator mode: the operator's leader runs them).
    /// </summary>
    public Ballast.Acme.Listeners.CertificateSupervisorOptions? Acme { get; init; }
    /// <summary>
    /// Standalone mode: the ports Ingress objects are served on (<c>--ingress-http-port</c>, <c>--ingress-https-port</c>),
    /// and whether an Ingress naming no class is served when the folder marks no IngressClass the default.
    /// </summary>
    public Ballast.Model.Compilation.IngressServing Ingress { get; init; } = new(UnclassedWithoutDefault: true);
    /// <summary>Copies for RequestMirror filters in flight at once (beyond: dropped and counted, never waited for).</summary>
    public int MirrorMaxInFlight { get; init; } = Forwarding.RequestMirrors.DefaultMaxInFlight;
    /// <summary>Access-log queue size, sampling randomness and standard output (what to log is in the resources).</summary>
    public AccessLog.AccessLogOptions AccessLog { get; init; } = new();
    /// <summary>OpenTelemetry tracing (OTLP/HTTP export, sampling, propagation); null: off, and nothing on the request path changes.</summary>
    public Tracing.TracingOptions? Tracing { get; init; }
}
