using Ballast.Ingress.Admin;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Health;
using Ballast.Ingress.Http;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.Wiring;
using Ballast.Ingress.Listeners;
using Ballast.Ingress.Listeners.Scheduling;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Reloads;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tls;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using DataPlaneRuntime = Ballast.Ingress.Runtime.DataPlane;

namespace Ballast.Ingress.Hosting;

/// <summary>
/// A running ingress: Kestrel with the admin listener and the snapshot's proxy listeners, the data plane and
/// the metrics. Startable in-process (tests) as well as by the <c>ballast run</c> command.
/// </summary>
public sealed class IngressHost : IAsyncDisposable, ISnapshotTarget
{
    private readonly WebApplication _app;
    private readonly ListenerConfigurationProvider _listeners;
    private readonly IServerAddressesFeature _addresses;
    private readonly TimeSpan _bindTimeout;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly System.Net.IPAddress? _listenerAddress;

    private IngressHost(WebApplication app, ListenerConfigurationProvider listeners, int adminPort, IngressOptions options,
        Ballast.Acme.Listeners.CertificateSupervisor? acme, ReloadJournal reloads)
    {
        Reloads = reloads;
        var bindTimeout = options.BindTimeout;
        _listenerAddress = options.ListenerAddress;
        _app = app;
        _listeners = listeners;
        AdminPort = adminPort;
        _bindTimeout = bindTimeout;
        _addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        DataPlane = app.Services.GetRequiredService<DataPlaneRuntime>();
        Shutdown = app.Services.GetRequiredService<ListenerShutdown>();
        _time = options.Time;
        Metrics = app.Services.GetRequiredService<IngressMetrics>();
        Tls = app.Services.GetRequiredService<TlsCertificateStore>();
        Tls.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<TlsCertificateStore>();
        BackendTlsReporter.Of(Metrics.Registry).Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<BackendTlsReporter>();
        _httpsEdge = app.Services.GetRequiredService<HttpsEdge>();
        // L4 metrics go to the host's registry too, so the admin /metrics shows them.
        L4 = new L4ListenerSet(new L4Metrics(Metrics.Registry), options.Time, LoggerFactory.CreateLogger<L4ListenerSet>())
        {
            Affinity = app.Services.GetRequiredService<AffinityRouter>(),
        };
        Acme = acme;
        IngressServing = options.Ingress;
        AdminAddress = options.AdminAddress;
        _logger = LoggerFactory.CreateLogger<IngressHost>();
    }

    private readonly ILogger _logger;
    /// <summary>The traffic listeners last logged ("name address:port (kind)"), so a reload that keeps them logs nothing.</summary>
    private string _loggedListeners = "";

    /// <summary>The address the admin listener is bound to (<c>--admin-address</c>).</summary>
    public System.Net.IPAddress AdminAddress { get; }

    /// <summary>The admin listener's base URL, e.g. <c>http://127.0.0.1:9901</c>.</summary>
    public string AdminUrl => $"http://{(AdminAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + AdminAddress + "]" : AdminAddress.ToString())}:{AdminPort}";

    /// <summary>What the sources did with each configuration change (<c>/admin/config</c>, the status page).</summary>
    public ReloadJournal Reloads { get; }

    /// <summary>Where Ingress objects are served (standalone mode compiles them with it).</summary>
    public Ballast.Model.Compilation.IngressServing IngressServing { get; }

    /// <summary>Standalone ACME certificate managers (null unless <see cref="IngressOptions.Acme"/> is set).</summary>
    public Ballast.Acme.Listeners.CertificateSupervisor? Acme { get; }
    private Tls.Acme.AcmeMetricsExport? _acmeMetrics;
    private OpenTelemetry.Trace.TracerProvider? _tracer;
    private IDisposable? _runtimeMetrics;

    private readonly HttpsEdge _httpsEdge;
    public TlsCertificateStore Tls { get; }

    /// <summary>The TCP, TLS-passthrough and UDP listeners (own sockets, not Kestrel).</summary>
    public L4ListenerSet L4 { get; }

    public int AdminPort { get; }
    /// <summary>This replica's shutdown phase (readiness and the proxy read it).</summary>
    public ListenerShutdown Shutdown { get; }
    private readonly TimeProvider _time;
    public DataPlaneRuntime DataPlane { get; }
    public IngressMetrics Metrics { get; }
    public IServiceProvider Services => _app.Services;
    public Snapshot CurrentSnapshot => DataPlane.Current.Snapshot;
    public bool HasSnapshot => DataPlane.HasSnapshot;
    public ILoggerFactory LoggerFactory => _app.Services.GetRequiredService<ILoggerFactory>();
    /// <summary>The access-log writer: its counters, and <c>Reopen</c> for SIGUSR1.</summary>
    public AccessLog.AccessLogQueue AccessLog => _app.Services.GetRequiredService<AccessLog.AccessLogQueue>();

    public static async Task<IngressHost> StartAsync(IngressOptions options, CancellationToken cancellationToken = default)
    {
        var listeners = new ListenerConfigurationProvider();
        var metrics = new IngressMetrics();
        var tlsStore = new TlsCertificateStore(new TlsMetrics(metrics.Registry), options.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var listenerConfig = new ConfigurationBuilder().Add(listeners).Build();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        options.ConfigureLogging?.Invoke(builder.Logging);
        // Per-request logging off: with this category enabled hosting creates an Activity and a log scope per
        // request (measured −20–31% throughput). YARP logs every forward at Information.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        // Kestrel warns that cleartext Http1AndHttp2 endpoints serve HTTP/1.1 only; PriorKnowledgeHttp2Middleware
        // makes that untrue. Bind failures are logged as Critical and still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);

        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // h2c detected by prior knowledge looks like TLS to Kestrel (see PriorKnowledgeHttp2Middleware);
            // the client's ":scheme: http" must not be rejected for it.
            kestrel.AllowAlternateSchemes = true;
            // Content-Length must be 1*DIGIT (Kestrel alone accepts "+5"); see Listeners/StrictFieldEncoding.
            kestrel.RequestHeaderEncodingSelector = StrictFieldEncoding.Select;
            // Stream, field and header-time limits of an edge proxy (rapid reset, CONTINUATION floods, slow headers).
            EdgeLimits.Apply(kestrel.Limits, options.RequestHeadersTimeout);
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                // The names a client nominates in Connection, kept before Kestrel rewrites it (Listeners/NominatedFields).
                listen.Use(next => connection => NominatedFields.TrackAsync(next, connection));
                // HTTPS ports are known to the store before Kestrel reloads its endpoints (ApplyAsync applies it first).
                if (listen.IPEndPoint is { } ep && tlsStore.IsHttpsPort(ep.Port)) TlsListenerSetup.Configure(listen, ep.Port, tlsStore);
                else listen.Use(next => new PriorKnowledgeHttp2Middleware(next, options.FirstBytesTimeout).OnConnectionAsync);
            });
            kestrel.Listen(options.AdminAddress, options.AdminPort, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2);
            kestrel.Configure(listenerConfig, reloadOnChange: true);
        });

        var services = builder.Services;
        // Kestrel's sockets, with the scheduling chosen per connection (Listeners/Scheduling); registered after
        // UseKestrel's socket transport, so Kestrel binds every endpoint through it.
        services.AddSingleton(new SchedulingTransportFactory.Settings(options.Scheduling, SchedulingConnectionListener.DefaultFirstBytesWait, options.Time));
        services.AddSingleton<IConnectionListenerFactory, SchedulingTransportFactory>();
        services.AddSingleton(options.Time);
        services.AddSingleton(metrics);
        services.AddSingleton(tlsStore);
        services.AddSingleton<HttpsEdge>();
        var time = options.Time;
        services.AddSingleton(options.Balancers ?? ((endpoints, lb) => LoadBalancerRegistry.Create(endpoints, lb, random: null, timeProvider: time)));
        services.AddSingleton(sp => new HealthServices(time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.Health"),
            new HealthMetrics(sp.GetRequiredService<IngressMetrics>().Registry))
        { BackendTls = BackendTlsReporter.Of(sp.GetRequiredService<IngressMetrics>().Registry) });
        services.AddSingleton<DataPlaneRuntime>();
        services.AddHttpForwarder();
        services.AddSingleton(new RequestMirrors(options.MirrorMaxInFlight, time));
        services.AddSingleton<ProxyMiddleware>();
        services.AddSingleton<ListenerShutdown>();
        services.AddSingleton(new Tracing.RequestTracing(options.Tracing));
        services.AddSingleton(sp => new AccessLog.AccessLogQueue(options.AccessLog, sp.GetRequiredService<IngressMetrics>().Registry,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.AccessLog")));
        services.AddSingleton(sp => new AccessLog.AccessLogRecorder(sp.GetRequiredService<DataPlaneRuntime>(), sp.GetRequiredService<AccessLog.AccessLogQueue>(),
            options.AccessLog, time));
        // The shared Redis connection exists only in active-active mode; other features resolve it the same way.
        if (options.Redis is { } redis)
        {
            services.AddSingleton(sp => new RedisConnection(redis, sp.GetRequiredService<IngressMetrics>(), sp.GetRequiredService<ILogger<RedisConnection>>()));
            services.AddSingleton(sp => new SharedAffinityStore(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<AffinityTable>()));
        }
        services.AddSingleton(options.AffinityKeys ?? AffinityKeyRing.Random());
        services.AddSingleton<AffinityMetrics>();
        services.AddSingleton(sp => new AffinityTable(time, options.AffinityTableCapacity));
        services.AddSingleton(sp => new AffinityRouter(sp.GetRequiredService<AffinityKeyRing>(), sp.GetRequiredService<AffinityMetrics>(),
            sp.GetRequiredService<AffinityTable>(), sp.GetService<SharedAffinityStore>(), time));

        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<ProxyMiddleware>();
        IngressHost? host = null;
        var adminPort = -1;
        var dataPlane = app.Services.GetRequiredService<DataPlaneRuntime>();
        var acmeMetrics = options.Acme is null ? null : new Tls.Acme.AcmeMetricsExport(app.Services.GetRequiredService<IngressMetrics>().Registry);
        var acme = acmeMetrics is null ? null : new Ballast.Acme.Listeners.CertificateSupervisor(options.Acme!, acmeMetrics.Certificates);
        var reloads = new ReloadJournal(options.Time);
        var httpsEdge = app.Services.GetRequiredService<HttpsEdge>();
        var haRoles = new HighAvailability.HaRoles(app.Services.GetRequiredService<IngressMetrics>().Registry);
        var admin = new AdminHandler(app.Services.GetRequiredService<IngressMetrics>(), () => host!.GetReadiness(), () => dataPlane.Current.Pools.Values)
        {
            Certificates = () => acme?.Statuses ?? [],
            HaRoles = haRoles,
            State = () => dataPlane.Current,
            Reloads = reloads,
            ServedCertificates = () => ServedCertificates(tlsStore),
            BeforeRouting = httpsEdge.TryAnswer,
            Time = options.Time,
        };
        app.Run(context => context.Connection.LocalPort == adminPort ? admin.HandleAsync(context) : proxy.InvokeAsync(context));
        FollowMovedAddresses(haRoles, app.Services.GetRequiredService<ListenerShutdown>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.HighAvailability"));

        // Spans are exported from here on; the provider is disposed (and flushes what is queued) with the host.
        var tracer = options.Tracing is { } tracing ? Tracing.TraceExport.Start(tracing) : null;
        var runtimeMetrics = RuntimeMetrics.Export(metrics.Registry);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        // Only the admin endpoint is bound at this point (no snapshot yet, so no proxy endpoint).
        adminPort = options.AdminPort != 0 ? options.AdminPort : new Uri(addresses.Addresses.Single()).Port;
        host = new IngressHost(app, listeners, adminPort, options, acme, reloads) { _acmeMetrics = acmeMetrics, _tracer = tracer, _runtimeMetrics = runtimeMetrics };
        return host;
    }

    /// <summary>
    /// When keepalived reports a role, the VIPs this node held and now keeps on lo only have moved to the peer: the
    /// connections made to them close after their next response, so their clients reconnect to the peer (docs/ha.md).
    /// </summary>
    private static void FollowMovedAddresses(HighAvailability.HaRoles roles, ListenerShutdown shutdown, ILogger logger)
    {
        var addresses = new HighAvailability.MovedAddresses();
        var gate = new Lock();
        roles.Changed += () =>
        {
            lock (gate)
            {
                var moved = addresses.Update(HighAvailability.MovedAddresses.OfThisNode());
                if (moved.ToHashSet().SetEquals(shutdown.MovedAway)) return;
                shutdown.MovedAway = moved;
                logger.LogInformation("Addresses moved to the peer: {Addresses}; connections made to them close after their next response.",
                    moved.Count == 0 ? "none" : string.Join(", ", moved));
            }
        };
    }

    /// <summary>The certificates the HTTPS listeners present, for the status page (subject, names, expiry; never the key).</summary>
    private static IReadOnlyList<ServedCertificate> ServedCertificates(TlsCertificateStore store) =>
        [.. store.Current.Values.SelectMany(selector => selector.Certificates.Select(c =>
            new ServedCertificate(selector.Listener, c.Source, c.Leaf.Subject, c.DnsNames, c.NotAfter)))];

    /// <summary>
    /// Applies a snapshot: the data plane switches at once; then Kestrel binds the new listeners and unbinds
    /// the removed ones (the others keep their connections). Returns when the listeners are bound, or after
    /// the bind timeout (then /readyz says which are missing).
    /// </summary>
    public async Task ApplyAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        await _applyGate.WaitAsync(cancellationToken);
        try
        {
            if (_listenerAddress is not null)
            {
                var address = _listenerAddress.ToString();
                snapshot = snapshot with { Listeners = [.. snapshot.Listeners.Select(l => l with { Address = address })] };
            }
            // A listener whose port another process holds: refuse the snapshot before anything switches (a failed reload).
            var unbindable = PortProbe.Unbindable(snapshot.Listeners, PortsHeld());
            if (unbindable.Count > 0) throw new SnapshotRejectedException(string.Join("; ", unbindable));
            DataPlane.Apply(snapshot);
            L4.Apply(DataPlane.Current);
            // Certificates before listeners: a newly bound HTTPS endpoint must find its port in the store.
            Tls.Apply(snapshot);
            _httpsEdge.Apply(snapshot);
            var wanted = snapshot.Listeners.Where(l => l.Kind is ListenerKind.Http or ListenerKind.Https).Select(l => (l.Address, l.Port)).ToList();
            if (!_listeners.Current.SequenceEqual(wanted.Distinct())) _listeners.Update(snapshot.Listeners);
            var deadline = DateTime.UtcNow + _bindTimeout;
            while (!ListenersMatch() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken);
            }
            LogListenersIfChanged(snapshot);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>The ports this process holds for traffic now (Kestrel's proxy endpoints and the running L4 listeners), by transport.</summary>
    private HashSet<(System.Net.Sockets.ProtocolType, int)> PortsHeld()
    {
        var held = new HashSet<(System.Net.Sockets.ProtocolType, int)>();
        foreach (var port in BoundPorts())
            if (port != AdminPort) held.Add((System.Net.Sockets.ProtocolType.Tcp, port));
        var l4 = L4.Bound;
        foreach (var listener in CurrentSnapshot.Listeners)
        {
            if (!L4ListenerSet.IsL4(listener.Kind) || !l4.TryGetValue(listener.Name, out var bound)) continue;
            held.Add((listener.Kind == ListenerKind.Udp ? System.Net.Sockets.ProtocolType.Udp : System.Net.Sockets.ProtocolType.Tcp, bound.Port));
        }
        return held;
    }

    /// <summary>One line naming the traffic listeners and the admin address, at start and whenever the set changes.</summary>
    private void LogListenersIfChanged(Snapshot snapshot)
    {
        var listeners = string.Join(", ", snapshot.Listeners.Select(l => $"{l.Name} {(l.Address.Contains(':') ? "[" + l.Address + "]" : l.Address)}:{l.Port} ({l.Kind})"));
        if (listeners == _loggedListeners) return;
        _loggedListeners = listeners;
        _logger.LogInformation("Traffic listeners: {Listeners}; admin: {Admin}", listeners.Length == 0 ? "none" : listeners, AdminUrl);
    }

    /// <summary>True when Kestrel is bound to exactly the proxy ports of the current snapshot (plus the admin port).</summary>
    public bool ListenersMatch()
    {
        var wanted = _listeners.Current.Select(l => l.Port).ToHashSet();
        var bound = BoundPorts();
        bound.Remove(AdminPort);
        return bound.SetEquals(wanted);
    }

    private HashSet<int> BoundPorts()
    {
        var ports = new HashSet<int>();
        foreach (var address in _addresses.Addresses.ToArray())
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri)) ports.Add(uri.Port);
        }
        return ports;
    }

    public Readiness GetReadiness()
    {
        var version = CurrentSnapshot.Version;
        if (Shutdown.Phase != ShutdownPhase.Serving) return new Readiness(false, version, "shutting down");
        if (!DataPlane.HasSnapshot) return new Readiness(false, version, "no snapshot applied yet");
        var bound = BoundPorts();
        // From the snapshot being served, not from Kestrel's configuration: between the data-plane switch and the
        // configuration update, the latter still names the old listeners and would report ready too early.
        var missing = CurrentSnapshot.Listeners.Where(l => l.Kind is ListenerKind.Http or ListenerKind.Https && !bound.Contains(l.Port))
            .Select(l => $"{l.Address}:{l.Port}").Distinct().Concat(L4.Failures).ToList();
        return missing.Count == 0
            ? new Readiness(true, version, "")
            : new Readiness(false, version, "listeners not bound: " + string.Join(", ", missing));
    }

    /// <summary>
    /// A replica's graceful exit (SIGTERM in a rollout of Ballast itself): readiness turns false at once and the
    /// replica keeps serving for <paramref name="grace"/> while load balancers and the Service stop sending to
    /// it; then every keep-alive connection is closed after its current request (HTTP/1.1 <c>Connection:
    /// close</c>, HTTP/2 GOAWAY: Kestrel's graceful stop plus our own close on each response), and in-flight
    /// requests and WebSockets get until <paramref name="timeout"/> to finish before they are aborted.
    /// <paramref name="skipGrace"/> ends the grace period early (a second signal).
    /// </summary>
    public async Task ShutdownAsync(TimeSpan grace, TimeSpan timeout, CancellationToken skipGrace = default)
    {
        Shutdown.Enter(ShutdownPhase.Draining);
        try
        {
            if (grace > TimeSpan.Zero) await Task.Delay(grace, _time, skipGrace);
        }
        catch (OperationCanceledException)
        {
        }

        Shutdown.Enter(ShutdownPhase.Closing);
        using var deadline = new CancellationTokenSource(timeout, _time);
        try
        {
            // Stops accepting, closes idle connections, lets the others finish their request; aborts at the deadline.
            await _app.StopAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        var redis = _app.Services.GetService<RedisConnection>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync(); // the access-log queue too (a singleton): it writes what is queued, then closes its files
        if (Acme is not null) await Acme.DisposeAsync();
        _acmeMetrics?.Dispose();
        _tracer?.Dispose(); // sends the spans still queued
        _runtimeMetrics?.Dispose();
        await L4.DisposeAsync();
        DataPlane.Dispose();
        _applyGate.Dispose();
        if (redis is not null) await redis.DisposeAsync();
    }
}
