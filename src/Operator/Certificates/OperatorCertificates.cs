using Ballast.Acme.Certificates;
using Ballast.Acme.Listeners;
using Ballast.Model.Resources;
using Ballast.Operator.Delivery;
using k8s;

namespace Ballast.Operator.Certificates;

/// <summary>
/// ACME in the operator: the leader runs one certificate manager per policy listener with <c>tls.acme</c>
/// (account key and certificates in Secrets); a standby runs none. Certificates and pending tokens go into the
/// compile, so every replica serves the one and answers the other. <see cref="Changed"/> asks for a recompile
/// (which also rewrites the policies' <c>CertificateReady</c>).
/// </summary>
public sealed class OperatorCertificates : IAsyncDisposable
{
    private readonly SnapshotHub _hub;
    private readonly OperatorAcmeOptions _options;
    private readonly HttpClient? _ownHttp;
    private readonly CertificateExpiryMetrics _metrics = new();

    public OperatorCertificates(IKubernetes client, SnapshotHub hub, OperatorAcmeOptions options)
    {
        _hub = hub;
        _options = options;
        if (options.Http is null) _ownHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var keys = new SecretAccountKeys(client);
        Supervisor = new CertificateSupervisor(new CertificateSupervisorOptions
        {
            Http = options.Http ?? _ownHttp!,
            AccountKeys = keys.GetAsync,
            Store = new SecretCertificateStore(client),
            StoreName = l => $"{l.Namespace}/{SecretName(l)}",
            ManagerTime = options.ManagerTime,
            Client = options.Client,
            Seed = options.Seed,
        }, _metrics);
        Supervisor.PublishChallenges = WaitUntilReplicasServeTokensAsync;
    }

    public CertificateSupervisor Supervisor { get; }

    /// <summary>Recompile: a certificate, a token or a status changed.</summary>
    public event Action? Changed
    {
        add => Supervisor.Changed += value;
        remove => Supervisor.Changed -= value;
    }

    /// <summary>The Secret holding a listener's certificate.</summary>
    public static string SecretName(AcmeListener listener) => $"ballast-acme-{listener.Policy}-{listener.Listener}";

    /// <summary>Called at each compile: the leader manages the policies' ACME listeners, a standby none.</summary>
    public void Reconcile(IReadOnlyList<LoadBalancerPolicy> policies, bool isLeader) =>
        Supervisor.Reconcile(isLeader ? AcmeListeners.From(policies) : []);

    /// <summary>The statuses of one policy's ACME listeners.</summary>
    public IReadOnlyList<AcmeListenerStatus> StatusesOf(string ns, string policy) =>
        [.. Supervisor.Statuses.Where(s => s.Listener.Namespace == ns && s.Listener.Policy == policy)];

    /// <summary>
    /// The CA fetches a token from whichever replica its traffic reaches: wait until the hub's snapshot carries every
    /// pending token and every connected replica runs it (or the timeout passes: the CA may then still find it).
    /// </summary>
    private async Task WaitUntilReplicasServeTokensAsync(CancellationToken ct)
    {
        // The store's Changed event has already queued the compile that puts the new token into the snapshot.
        var tokens = Supervisor.Challenges;
        var deadline = DateTime.UtcNow + _options.PublishTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = _hub.Current;
            if (tokens.All(t => snapshot.AcmeChallenges.ContainsKey(t.Key))
                && _hub.ConnectedReplicas().Values.All(version => version >= snapshot.Version)) return;
            await Task.Delay(50, ct).ConfigureAwait(false); // real replicas over real sockets: poll with a deadline
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Supervisor.DisposeAsync();
        _metrics.Dispose();
        _ownHttp?.Dispose();
    }
}
