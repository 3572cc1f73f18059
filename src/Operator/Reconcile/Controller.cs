using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Operator.Delivery;
using Ballast.Operator.Queue;
using Ballast.Operator.State;
using Ballast.Operator.Status;
using Ballast.Operator.Watching;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Reconcile;

/// <summary>
/// The reconcile loop. Level-triggered and idempotent: any change (or a resync) queues one "compile" key, which
/// recompiles the whole desired state from the informers' caches into a snapshot, publishes it when its content
/// changed, and queues a status key per resource for <see cref="StatusWriter"/>. Which spec each resource compiles
/// with is <see cref="AcceptedSpecs"/>' choice. Only the leader writes.
/// </summary>
public sealed class Controller
{
    private const string CompileKey = "compile";
    private readonly SnapshotHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _isLeader;
    private readonly WorkQueue<string> _queue;
    /// <summary>The status each resource should carry after the last pass (replaced whole by each pass).</summary>
    private volatile IReadOnlyDictionary<ResourceKey, ResourceStatus> _desired = new Dictionary<ResourceKey, ResourceStatus>();
    /// <summary>The last spec of each resource that compiled cleanly, with the object it came from: a later invalid edit falls back to it.</summary>
    private IReadOnlyDictionary<ResourceKey, AcceptedSpecs.Remembered> _remembered = new Dictionary<ResourceKey, AcceptedSpecs.Remembered>();
    private readonly StatusWriter _status;
    /// <summary>The fallbacks in use, persisted by the leader so a restarted operator or a new standby has them too.</summary>
    private readonly LastAcceptedStore _stored;

    public ICache<JsonElement> Pools { get; }
    public ICache<JsonElement> Policies { get; }
    public ICache<V1Service> Services { get; }
    public ICache<V1EndpointSlice> Slices { get; }
    /// <summary>Only the Secrets the resources reference (see <see cref="ReferencedSecrets"/>).</summary>
    public ReferencedSecrets Secrets { get; }

    /// <summary>Status writes that went to the API server (tests assert "no churn" on it).</summary>
    public int StatusWrites => _status.Writes + _kindStatus.Writes + _ingressStatus.Writes;

    public int Compiles { get; private set; }

    /// <summary>Every cache has listed once: from here on this replica's snapshots are complete (readiness).</summary>
    public bool IsSynced => _synced;
    private volatile bool _synced;

    /// <summary>Keys waiting in the work queue.</summary>
    public int QueueDepth => _queue.Length;

    /// <summary>The ingress Service (status.addresses from its load-balancer ingress); null: not configured.</summary>
    public ICache<V1Service>? IngressService { get; }
    /// <summary>The ingress Service's EndpointSlices (its named target ports, see <see cref="PublicPorts"/>); null: no Service configured.</summary>
    public ICache<V1EndpointSlice>? IngressServiceSlices { get; }
    /// <summary>Nodes (status.addresses for NodePort and hostNetwork); null: not watched.</summary>
    public ICache<V1Node>? Nodes { get; }
    private readonly AddressSources _addressSources;
    private List<Model.Resources.PolicyAddress>? _addresses;

    /// <summary>The caches the reconcile loop reads (every change queues a pass).</summary>
    private IEnumerable<IRunnableCache> Caches =>
        new IRunnableCache?[] { Pools, Policies, Services, Slices, IngressService, IngressServiceSlices, Nodes }.OfType<IRunnableCache>();

    /// <summary>Every informer, for the counts the metrics report.</summary>
    public IReadOnlyList<IInformerCounts> Informers => [.. Caches, .. _frontEnds.Kinds.Select(k => k.Informer), Secrets, _stored];

    /// <summary>The front-ends' kinds the API server serves (Gateway API …), found at start.</summary>
    private FrontEndInformers _frontEnds = FrontEndInformers.None;
    private readonly KindStatusWriter _kindStatus;
    private readonly IngressStatusWriter _ingressStatus;
    /// <summary>Where and how Ingress objects are served (the ingress replicas' Ingress ports).</summary>
    private readonly IngressServing _ingress;
    /// <summary>Each served Ingress's problems after the last pass (Warning events; its status has no conditions).</summary>
    private volatile ILookup<ResourceKey, Model.Ingresses.IngressEvent> _ingressWarnings = Array.Empty<Model.Ingresses.IngressEvent>().ToLookup(e => e.Ingress);
    private readonly IKubernetes _client;
    private readonly IReadOnlyList<string> _namespaces;
    private readonly TimeSpan _resync;

    /// <summary>The fallback specs the leader stored (what a restarted operator starts from).</summary>
    public LastAcceptedStore LastAccepted => _stored;

    /// <summary>Called after each work item: its kind ("compile" or "status"), how long it took, whether it failed.</summary>
    public Action<string, TimeSpan, bool>? Reconciled { get; set; }
    public CompileResult? LastResult { get; private set; }

    /// <summary>ACME certificate managers (leader only); null: no ACME.</summary>
    private readonly Certificates.OperatorCertificates? _certificates;

    /// <param name="stored">Where the leader persists the fallback specs in use (every replica reads them).</param>
    /// <param name="namespaces">The namespaces to watch; empty: all (the cluster-wide default).</param>
    /// <param name="addresses">Where policies' status.addresses (and Ingresses' status.loadBalancer) come from.</param>
    /// <param name="ingress">The ports Ingress objects are served on.</param>
    public Controller(IKubernetes client, SnapshotHub hub, TimeProvider time, ILogger logger, Func<bool> isLeader, TimeSpan resync,
        LastAcceptedStore stored, Certificates.OperatorCertificates? certificates = null, IReadOnlyList<string>? namespaces = null,
        AddressSources? addresses = null, IngressServing? ingress = null)
    {
        _ingress = ingress ?? new IngressServing();
        _ingressStatus = new IngressStatusWriter(client, time, logger);
        namespaces ??= [];
        _client = client;
        _namespaces = namespaces;
        _resync = resync;
        _kindStatus = new KindStatusWriter(client, hub, time);
        _addressSources = addresses ?? new AddressSources();
        if (_addressSources.IngressService is { } svc)
        {
            var slash = svc.IndexOf('/');
            IngressService = new Informer<V1Service>("ingress service", ListWatchSources.Service(client, svc[..slash], svc[(slash + 1)..]), time, logger, resync);
            IngressServiceSlices = new Informer<V1EndpointSlice>("ingress service endpointslices",
                ListWatchSources.EndpointSlicesOf(client, svc[..slash], svc[(slash + 1)..]), time, logger, resync);
        }
        if (_addressSources.NodeAddresses) Nodes = new Informer<V1Node>("nodes", ListWatchSources.Nodes(client), time, logger, resync);
        _stored = stored;
        _certificates = certificates;
        _hub = hub;
        _time = time;
        _logger = logger;
        _isLeader = isLeader;
        _queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));
        Pools = InformerSet<JsonElement>.For("backendpools", namespaces, ns => new ListWatchSources.Custom(client, "backendpools", ns), time, logger, resync);
        Policies = InformerSet<JsonElement>.For("loadbalancerpolicies", namespaces, ns => new ListWatchSources.Custom(client, "loadbalancerpolicies", ns), time, logger, resync);
        Services = InformerSet<V1Service>.For("services", namespaces, ns => ListWatchSources.Services(client, ns), time, logger, resync);
        Slices = InformerSet<V1EndpointSlice>.For("endpointslices", namespaces, ns => ListWatchSources.EndpointSlices(client, ns), time, logger, resync);
        Secrets = new ReferencedSecrets(client, time, logger, resync, () => _queue.Add(CompileKey));
        _status = new StatusWriter(client, hub, time, logger, Pools, Policies, certificates);
        foreach (var informer in Caches) informer.Changed += () => _queue.Add(CompileKey);
        stored.Changed += () => _queue.Add(CompileKey);
        hub.ReplicasChanged += () => _queue.Add(CompileKey);
        if (certificates is not null) certificates.Changed += () => _queue.Add(CompileKey);
    }

    /// <summary>Queue a full pass (on leadership change, for instance).</summary>
    public void Kick() => _queue.Add(CompileKey);

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            _frontEnds = await DiscoverFrontEndsAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // stopped before discovery finished: nothing was started yet
        }
        foreach (var w in _frontEnds.Kinds) w.Informer.Changed += () => _queue.Add(CompileKey);
        var caches = Caches.Concat(_frontEnds.Kinds.Select(k => k.Informer)).ToList();
        var informers = caches.Select(c => c.RunAsync(ct)).Append(_stored.RunAsync(ct)).ToArray();
        try
        {
            // The stored fallbacks too: a restarted operator's first snapshot must already fall back like the last one's.
            await Task.WhenAll(caches.Select(c => c.Synced).Append(_stored.Synced)).WaitAsync(ct);
            _synced = true;
            _queue.Add(CompileKey);
            while (!ct.IsCancellationRequested)
            {
                var key = await _queue.TakeAsync(ct);
                var started = _time.GetTimestamp();
                var failed = false;
                // A status key names one resource: every line logged while it is reconciled carries kind/namespace/name.
                using var scope = key == CompileKey ? null : _logger.BeginScope(new ResourceLogFields(StatusKey(key)));
                try
                {
                    if (key == CompileKey) await CompileAndPublishAsync(ct);
                    else await WriteStatusAsync(key, ct);
                    _queue.Forget(key);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or KubernetesException or IOException)
                {
                    failed = true;
                    var delay = _queue.AddRateLimited(key, ct);
                    _logger.LogInformation("{Key}: {Error}; retrying in {Delay}", key, e.Message, delay);
                }
                finally
                {
                    _queue.Done(key);
                }
                Reconciled?.Invoke(key == CompileKey ? "compile" : "status", _time.GetElapsedTime(started), failed);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        await Task.WhenAll(informers);
        await Secrets.StopAllAsync();
    }

    /// <summary>Discovery, retried until the API server answers: which Gateway API (…) kinds to watch.</summary>
    private async Task<FrontEndInformers> DiscoverFrontEndsAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await FrontEndInformers.DiscoverAsync(_client, _namespaces, _time, _logger, _resync, ct); }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(attempt, 10))));
                _logger.LogInformation("discovery of front-end kinds: {Error}; retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay, _time, ct);
            }
        }
    }

    /// <summary>The front-ends' objects as model types; one that does not deserialize is logged and left out.</summary>
    private List<Resource> FrontEndInputs()
    {
        var inputs = new List<Resource>();
        foreach (var w in _frontEnds.Kinds)
        {
            var (items, bad) = DesiredState.Parse(w.Kind.Type, w.Informer.Items, w.Kind.Kind);
            inputs.AddRange(items);
            foreach (var b in bad)
            {
                using var scope = _logger.BeginScope(new ResourceLogFields(b.Key));
                _logger.LogWarning("{Key}: cannot read it: {Error}", b.Key, b.Message);
            }
        }
        return inputs;
    }

    private async Task CompileAndPublishAsync(CancellationToken ct)
    {
        // One copy of the caches for the whole pass: the informers keep changing while it runs, and a spec must be
        // remembered with the very object it was parsed from.
        var served = AcceptedSpecs.Served(Pools.Items, BackendPool.KindName).Concat(AcceptedSpecs.Served(Policies.Items, LoadBalancerPolicy.KindName)).ToDictionary();
        var (pools, badPools) = DesiredState.Parse<BackendPool>(served.Where(s => s.Key.Kind == BackendPool.KindName).Select(s => s.Value), BackendPool.KindName);
        var (policies, badPolicies) = DesiredState.Parse<LoadBalancerPolicy>(served.Where(s => s.Key.Kind == LoadBalancerPolicy.KindName).Select(s => s.Value), LoadBalancerPolicy.KindName);
        var unreadable = badPools.Concat(badPolicies).ToList();
        var stored = _stored.Entries;
        var frontEndInputs = FrontEndInputs();
        // Ingresses name their TLS and basic-auth Secrets; the policies they translate into say which.
        var ingressPolicies = DesiredState.IngressPolicies(frontEndInputs);
        // The last accepted specs of rejected resources may reference Secrets the new specs dropped: keep those too.
        Resource[] candidates = [.. _remembered.Values.Select(a => a.Resource), .. stored.Values.Select(s => s.Resource)];
        await Secrets.TrackAsync(DesiredState.SecretReferences(
            [.. pools, .. candidates.OfType<BackendPool>()], [.. policies, .. ingressPolicies, .. candidates.OfType<LoadBalancerPolicy>()], frontEndInputs), ct);
        _certificates?.Reconcile(policies, _isLeader());
        var input = new CompilerInput
        {
            AcmeCertificates = _certificates?.Supervisor.Certificates ?? System.Collections.Immutable.ImmutableDictionary<string, ResolvedSecret>.Empty,
            AcmeChallenges = _certificates?.Supervisor.Challenges ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty,
            Pools = pools,
            Policies = policies,
            Inputs = frontEndInputs,
            Ingress = _ingress,
            PublicPorts = PublicPorts.From(IngressService?.Items.FirstOrDefault(), IngressServiceSlices?.Items ?? []),
            Services = DesiredState.Services(Services.Items, Slices.Items),
            Secrets = DesiredState.Secrets(Secrets.Items),
        };
        var first = Compiler.Compile(input);
        var choice = AcceptedSpecs.Choose(first.Statuses, unreadable.Select(u => u.Key), [.. pools, .. policies], served, stored, _remembered);
        foreach (var (key, problem) in choice.Problems)
        {
            using var scope = _logger.BeginScope(new ResourceLogFields(key));
            _logger.LogWarning("{Key}: {Problem}", key, problem);
        }
        _remembered = choice.Remember;
        var result = choice.Fallbacks.Count > 0 ? Compiler.Compile(AcceptedSpecs.WithFallbacks(input, choice)) : first;
        // Now that the fallbacks are known, stop watching Secrets that only a superseded spec named. Every current
        // spec's references stay watched, valid or not: the Secret a rejected policy waits for must wake it up.
        var fallbacks = choice.Fallbacks.Values.Select(f => f.Resource).ToList();
        await Secrets.TrackAsync(DesiredState.SecretReferences(
            [.. pools, .. fallbacks.OfType<BackendPool>()], [.. policies, .. ingressPolicies, .. fallbacks.OfType<LoadBalancerPolicy>()], frontEndInputs), ct);

        _desired = AcceptedSpecs.Statuses(first, result, choice, unreadable);
        _ingressWarnings = Model.Ingresses.IngressEvents.Warnings(result).ToLookup(e => e.Ingress);
        _addresses = Status.IngressAddresses.From(_addressSources.Configured, IngressService?.Items.FirstOrDefault(), Nodes?.Items ?? []);
        Compiles++;
        LastResult = result;
        Publish(result);
        if (_isLeader())
        {
            _ingressStatus.Retain(_desired.Keys.Where(k => k.Kind == Model.Ingresses.Ingress.KindName).ToHashSet());
            foreach (var key in _desired.Keys) _queue.Add($"{key.Kind}|{key.Namespace}|{key.Name}");
            foreach (var key in IngressesNoLongerOurs()) _queue.Add($"{key.Kind}|{key.Namespace}|{key.Name}");
            // Last, so that a failing write (retried with backoff) never holds back the snapshot or the statuses.
            await _stored.SaveAsync(choice.Fallbacks.ToDictionary(), ct);
        }
    }

    /// <summary>Ingresses that are not ours (another class, or our IngressClass gone) yet show the address Ballast wrote.</summary>
    private IEnumerable<ResourceKey> IngressesNoLongerOurs()
    {
        if (_frontEnds.Kinds.FirstOrDefault(k => k.Kind.Kind == Model.Ingresses.Ingress.KindName) is not { } ingresses) yield break;
        foreach (var item in ingresses.Informer.Items)
        {
            var meta = item.GetProperty("metadata");
            var ns = meta.TryGetProperty("namespace", out var n) ? n.GetString() ?? "default" : "default";
            var key = new ResourceKey(Model.Ingresses.Ingress.KindName, ns, meta.GetProperty("name").GetString()!);
            if (!_desired.ContainsKey(key) && _ingressStatus.WroteIt(key, item, _addresses)) yield return key;
        }
    }

    /// <summary>Publishes the snapshot when its content changed.</summary>
    private void Publish(CompileResult result)
    {
        var current = _hub.Current;
        if (_hub.HasSnapshot && current.ContentHash == result.Snapshot.ContentHash) return;
        // Versions are wall-clock based (and strictly increasing here), so they keep rising across operator restarts.
        var version = Math.Max(current.Version + 1, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _hub.Publish(result.Snapshot with { Version = version });
        _logger.LogInformation("published snapshot {Version} ({Hash}): {Pools} pools, {Listeners} listeners",
            version, result.Snapshot.ContentHash, result.Snapshot.Pools.Length, result.Snapshot.Listeners.Length);
    }

    private static ResourceKey StatusKey(string queueKey)
    {
        var parts = queueKey.Split('|');
        return new ResourceKey(parts[0], parts[1], parts[2]);
    }

    private async Task WriteStatusAsync(string queueKey, CancellationToken ct)
    {
        if (!_isLeader()) return;
        var key = StatusKey(queueKey);
        var frontEnd = _frontEnds.Kinds.FirstOrDefault(k => k.Kind.Kind == key.Kind);
        if (!_desired.TryGetValue(key, out var compiled))
        {
            // Not ours (any more): take back the address Ballast wrote, and only that.
            if (frontEnd is not null && key.Kind == Model.Ingresses.Ingress.KindName) await _ingressStatus.ClearIfOursAsync(key, frontEnd, _addresses, ct);
            return;
        }
        if (frontEnd is not null && key.Kind == Model.Ingresses.Ingress.KindName)
            await _ingressStatus.WriteAsync(key, frontEnd, compiled, _ingressWarnings[key], _addresses, ct);
        else if (frontEnd is not null) await _kindStatus.WriteAsync(key, frontEnd, compiled, ct);
        else await _status.WriteAsync(key, compiled, _addresses, ct);
    }
}

/// <summary>Where policies' <c>status.addresses</c> come from (see <see cref="Status.IngressAddresses"/>).</summary>
public sealed record AddressSources
{
    /// <summary>The ingress Service as <c>namespace/name</c>; null: none watched.</summary>
    public string? IngressService { get; init; }
    /// <summary>Watch Nodes for their addresses (NodePort, hostNetwork).</summary>
    public bool NodeAddresses { get; init; }
    /// <summary>Addresses (IPs or DNS names) that override the discovered ones.</summary>
    public IReadOnlyList<string> Configured { get; init; } = [];
}
