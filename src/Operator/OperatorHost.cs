using System.Net;
using Ballast.Operator.Delivery;
using Ballast.Operator.Leadership;
using Ballast.Operator.Metrics;
using Ballast.Operator.Reconcile;
using k8s;

namespace Ballast.Operator;

public sealed record OperatorOptions
{
    /// <summary>A kubeconfig file; null: in-cluster configuration.</summary>
    public string? Kubeconfig { get; init; }
    /// <summary>Identity in the leader Lease (the pod name in a cluster).</summary>
    public string Identity { get; init; } = Environment.MachineName;
    public string LeaseNamespace { get; init; } = "default";
    public string LeaseName { get; init; } = "ballast-operator";
    /// <summary>The ConfigMap (beside the Lease) where the leader keeps the last accepted specs of rejected resources.</summary>
    public string LastAcceptedConfigMap => LeaseName + State.LastAcceptedStore.NameSuffix;
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Address and port of the snapshot server (port 0: OS-chosen).</summary>
    public IPEndPoint SnapshotListen { get; init; } = new(IPAddress.Any, 8443);
    /// <summary>
    /// The ingress ServiceAccount (<c>namespace/name</c>) whose projected tokens the snapshot server accepts, checked
    /// with a TokenReview for <see cref="SnapshotAudience"/>. Empty: <see cref="SnapshotToken"/> instead.
    /// </summary>
    public string IngressServiceAccount { get; init; } = "";
    /// <summary>The audience the ingress replicas' projected tokens are bound to.</summary>
    public string SnapshotAudience { get; init; } = "ballast-operator";
    /// <summary>A shared bearer token, for running outside a cluster only (no kubelet, no projected tokens).</summary>
    public string SnapshotToken { get; init; } = "";
    /// <summary>How other operator replicas reach this one's snapshot server (a standby passes requests on to the leader's); null: http://127.0.0.1:port.</summary>
    public Uri? AdvertiseUri { get; init; }
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Address and port of <c>/metrics</c> (port 0: OS-chosen); null: no metrics listener.</summary>
    public IPEndPoint? MetricsListen { get; init; }
    /// <summary>Where policies' status.addresses come from: the ingress Service, Nodes, configured addresses.</summary>
    public Reconcile.AddressSources Addresses { get; init; } = new();
    /// <summary>Namespaces whose resources, Services and EndpointSlices the operator watches; empty: every namespace.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];
    /// <summary>ACME (policies' tls.acme listeners, run by the leader).</summary>
    public Certificates.OperatorAcmeOptions Acme { get; init; } = new();
    /// <summary>
    /// The ports Ingress objects are served on (the ingress pods' <c>http</c> and <c>https</c> container ports:
    /// <c>--ingress-http-port</c>, <c>--ingress-https-port</c>). An Ingress that names no class is served only when an
    /// IngressClass of ours is the cluster's default.
    /// </summary>
    public Model.Compilation.IngressServing Ingress { get; init; } = new();
}

/// <summary>The operator assembled: KubernetesClient, informers and reconcile, leader election, snapshot server.</summary>
public sealed class OperatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private Task _controllerLoop = Task.CompletedTask;
    private Task _electionLoop = Task.CompletedTask;
    private readonly Kubernetes _client;
    private readonly IDisposable? _meters;

    public Controller Controller { get; }
    public LeaseElector Elector { get; }
    public SnapshotHub Hub { get; }
    public Uri SnapshotUri { get; }
    public OperatorMetrics Metrics { get; }
    /// <summary>Where <c>/metrics</c> answers (null when <see cref="OperatorOptions.MetricsListen"/> is null).</summary>
    public Uri? MetricsUri { get; private init; }
    public Certificates.OperatorCertificates Certificates { get; }
    public LeaderProxy LeaderProxy { get; }

    private static Delivery.Auth.IReplicaAuthenticator Authenticator(OperatorOptions options, IKubernetes client, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrEmpty(options.IngressServiceAccount)) return new Delivery.Auth.StaticTokenAuthenticator(options.SnapshotToken);
        var parts = options.IngressServiceAccount.Split('/');
        if (parts is not [{ Length: > 0 } ns, { Length: > 0 } name])
            throw new ArgumentException($"IngressServiceAccount: \"{options.IngressServiceAccount}\" is not namespace/name", nameof(options));
        return new Delivery.Auth.TokenReviewAuthenticator(client, options.SnapshotAudience, ns, name, time, logger);
    }

    private OperatorHost(WebApplication app, Kubernetes client, Controller controller, LeaseElector elector, SnapshotHub hub, Uri uri,
        OperatorMetrics metrics, IDisposable? meters, Certificates.OperatorCertificates certificates, LeaderProxy leaderProxy)
    {
        LeaderProxy = leaderProxy;
        Metrics = metrics;
        _meters = meters;
        Certificates = certificates;
        _app = app;
        _client = client;
        Controller = controller;
        Elector = elector;
        Hub = hub;
        SnapshotUri = uri;
    }

    public static async Task<OperatorHost> StartAsync(OperatorOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        if (string.IsNullOrEmpty(options.SnapshotToken) && string.IsNullOrEmpty(options.IngressServiceAccount))
            throw new ArgumentException("IngressServiceAccount: name the ServiceAccount (namespace/name) whose tokens ingress replicas present (BALLAST_INGRESS_SERVICE_ACCOUNT), or SnapshotToken outside a cluster", nameof(options));
        time ??= TimeProvider.System;
        loggers ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var logger = loggers.CreateLogger("Ballast.Operator");
        var config = options.Kubeconfig is null
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
        var client = new Kubernetes(config);
        var hub = new SnapshotHub(time);
        var elector = new LeaseElector(client, options.LeaseNamespace, options.LeaseName, options.Identity, time, logger)
        {
            LeaseDuration = options.LeaseDuration,
            RetryPeriod = options.RetryPeriod,
        };
        var certificates = new Certificates.OperatorCertificates(client, hub, options.Acme);
        var stored = new State.LastAcceptedStore(client, options.LeaseNamespace, options.LastAcceptedConfigMap, time, logger, options.Resync);
        var controller = new Controller(client, hub, time, logger, () => elector.IsLeader, options.Resync, stored, certificates, options.WatchNamespaces, options.Addresses, options.Ingress);
        elector.LeadershipChanged += _ => controller.Kick();
        var metrics = new OperatorMetrics();
        controller.Reconciled = metrics.Reconciled;
        metrics.ObserveAtScrape(() => elector.IsLeader, hub, controller);

        var authenticator = Authenticator(options, client, time, logger);
        var leaderProxy = new LeaderProxy(() => elector.IsLeader, () => elector.LeaderEndpoint, logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? snapshotListener = null, metricsListener = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.SnapshotListen, l => snapshotListener = l);
            if (options.MetricsListen is { } m) k.Listen(m, l => metricsListener = l);
        });
        var app = builder.Build();
        SnapshotEndpoints.Map(app, hub, authenticator, metrics.SnapshotRefused, leaderProxy, options.PollWait);
        // Kestrel writes the bound port back into the listener's endpoint, so port 0 works too.
        MetricsEndpoint.Map(app, metrics, port => metricsListener is { } l && l.IPEndPoint!.Port == port);
        app.MapGet("/healthz", () => Results.Ok("ok"));
        // Every replica is ready once its caches have synced and it has compiled a snapshot: a standby passes snapshot
        // requests on to the leader (LeaderProxy), so it is as good an entry point as the leader; only the work —
        // status, the last-accepted ConfigMap, ACME — waits for the Lease. A leader-only readiness would leave a
        // two-replica Deployment never Available (helm --wait, Argo CD, PodDisruptionBudgets all stall).
        app.MapGet("/readyz", () => controller.IsSynced && hub.HasSnapshot
            ? Results.Ok(elector.IsLeader ? "ready: leader" : "ready: standby")
            : Results.Text(controller.IsSynced ? "no snapshot compiled yet\n" : "caches not synced yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        var snapshotUri = new Uri($"http://127.0.0.1:{snapshotListener!.IPEndPoint!.Port}");
        elector.Endpoint = (options.AdvertiseUri ?? snapshotUri).ToString();
        var host = new OperatorHost(app, client, controller, elector, hub, snapshotUri,
            metrics, MetricsEndpoint.ExportMeters(metrics), certificates, leaderProxy)
        {
            MetricsUri = metricsListener is null ? null : new Uri($"http://127.0.0.1:{metricsListener.IPEndPoint!.Port}"),
        };
        return host.Start();
    }

    private OperatorHost Start()
    {
        _controllerLoop = Task.Run(() => Controller.RunAsync(_stop.Token));
        _electionLoop = Task.Run(() => Elector.RunAsync(_stop.Token));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Task.WhenAll(_controllerLoop, _electionLoop).WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        await Certificates.DisposeAsync();
        LeaderProxy.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
        _client.Dispose();
        _meters?.Dispose();
    }
}
