using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
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
/// changed, and queues a status key per resource; the status step writes <c>/status</c> only when the composed
/// status differs from what the object carries. Only the leader writes.
/// </summary>
public sealed class Controller
{
    private const string CompileKey = "compile";
    private readonly IKubernetes _client;
    private readonly SnapshotHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _isLeader;
    private readonly WorkQueue<string> _queue;
    private readonly ConcurrentDictionary<ResourceKey, ResourceStatus> _desired = new();
    /// <summary>The last spec of each resource that compiled cleanly, with the object it came from: a later invalid edit falls back to it.</summary>
    private readonly Dictionary<ResourceKey, (Resource Resource, JsonElement Served)> _lastAccepted = [];
    /// <summary>The fallbacks in use, persisted by the leader so a restarted operator or a new standby has them too.</summary>
    private readonly LastAcceptedStore _stored;

    public Informer<JsonElement> Pools { get; }
    public Informer<JsonElement> Policies { get; }
    public Informer<V1Service> Services { get; }
    public Informer<V1EndpointSlice> Slices { get; }
    /// <summary>Only the Secrets the resources reference (see <see cref="ReferencedSecrets"/>).</summary>
    public ReferencedSecrets Secrets { get; }

    /// <summary>Status writes that went to the API server (tests assert "no churn" on it).</summary>
    public int StatusWrites => Volatile.Read(ref _statusWrites);
    private int _statusWrites;

    public int Compiles { get; private set; }

    /// <summary>Keys waiting in the work queue.</summary>
    public int QueueDepth => _queue.Length;

    /// <summary>Every informer, for the counts the metrics report.</summary>
    public IReadOnlyList<IInformerCounts> Informers => [Pools, Policies, Services, Slices, Secrets, _stored, .. _frontEnds.Kinds.Select(k => k.Informer)];

    /// <summary>The front-ends' kinds the API server serves (Gateway API …), found at start.</summary>
    private FrontEndInformers _frontEnds = FrontEndInformers.None;
    private readonly TimeSpan _resync;

    /// <summary>The fallback specs the leader stored (what a restarted operator starts from).</summary>
    public LastAcceptedStore LastAccepted => _stored;

    /// <summary>Called after each work item: its kind ("compile" or "status"), how long it took, whether it failed.</summary>
    public Action<string, TimeSpan, bool>? Reconciled { get; set; }
    public CompileResult? LastResult { get; private set; }

    /// <summary>ACME certificate managers (leader only); null: no ACME.</summary>
    private readonly Certificates.OperatorCertificates? _certificates;

    /// <param name="stored">Where the leader persists the fallback specs in use (every replica reads them).</param>
    public Controller(IKubernetes client, SnapshotHub hub, TimeProvider time, ILogger logger, Func<bool> isLeader, TimeSpan resync,
        LastAcceptedStore stored, Certificates.OperatorCertificates? certificates = null)
    {
        _stored = stored;
        _resync = resync;
        _certificates = certificates;
        _client = client;
        _hub = hub;
        _time = time;
        _logger = logger;
        _isLeader = isLeader;
        _queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));
        Pools = new("backendpools", new ListWatchSources.Custom(client, "backendpools"), time, logger, resync);
        Policies = new("loadbalancerpolicies", new ListWatchSources.Custom(client, "loadbalancerpolicies"), time, logger, resync);
        Services = new("services", ListWatchSources.Services(client), time, logger, resync);
        Slices = new("endpointslices", ListWatchSources.EndpointSlices(client), time, logger, resync);
        Secrets = new ReferencedSecrets(client, time, logger, resync, () => _queue.Add(CompileKey));
        foreach (var informer in new Action<Action>[] { a => Pools.Changed += a, a => Policies.Changed += a, a => Services.Changed += a, a => Slices.Changed += a, a => stored.Changed += a })
            informer(() => _queue.Add(CompileKey));
        hub.ReplicasChanged += () => _queue.Add(CompileKey);
        if (certificates is not null) certificates.Changed += () => _queue.Add(CompileKey);
    }

    /// <summary>Queue a full pass (on leadership change, for instance).</summary>
    public void Kick() => _queue.Add(CompileKey);

    public async Task RunAsync(CancellationToken ct)
    {
        _frontEnds = await DiscoverFrontEndsAsync(ct);
        foreach (var w in _frontEnds.Kinds) w.Informer.Changed += () => _queue.Add(CompileKey);
        Task[] informers = [Pools.RunAsync(ct), Policies.RunAsync(ct), Services.RunAsync(ct), Slices.RunAsync(ct), _stored.RunAsync(ct),
            .. _frontEnds.Kinds.Select(k => k.Informer.RunAsync(ct))];
        try
        {
            // The stored fallbacks too: a restarted operator's first snapshot must already fall back like the last one's.
            await Task.WhenAll([Pools.Synced, Policies.Synced, Services.Synced, Slices.Synced, _stored.Synced, .. _frontEnds.Kinds.Select(k => k.Informer.Synced)]).WaitAsync(ct);
            _queue.Add(CompileKey);
            while (!ct.IsCancellationRequested)
            {
                var key = await _queue.TakeAsync(ct);
                var started = _time.GetTimestamp();
                var failed = false;
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
            try { return await FrontEndInformers.DiscoverAsync(_client, _time, _logger, _resync, ct); }
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
            foreach (var b in bad) _logger.LogWarning("{Key}: cannot read it: {Error}", b.Key, b.Message);
        }
        return inputs;
    }

    private async Task CompileAndPublishAsync(CancellationToken ct)
    {
        // One copy of the caches for the whole pass: the informers keep changing while it runs, and a spec must be
        // remembered with the very object it was parsed from.
        var served = Served(Pools.Items, BackendPool.KindName).Concat(Served(Policies.Items, LoadBalancerPolicy.KindName)).ToDictionary();
        var (pools, badPools) = DesiredState.Parse<BackendPool>(served.Where(s => s.Key.Kind == BackendPool.KindName).Select(s => s.Value), BackendPool.KindName);
        var (policies, badPolicies) = DesiredState.Parse<LoadBalancerPolicy>(served.Where(s => s.Key.Kind == LoadBalancerPolicy.KindName).Select(s => s.Value), LoadBalancerPolicy.KindName);
        var stored = _stored.Entries;
        // The last accepted specs of rejected resources may reference Secrets the new specs dropped: keep those too.
        Resource[] candidates = [.. _lastAccepted.Values.Select(a => a.Resource), .. stored.Values.Select(s => s.Resource)];
        await Secrets.TrackAsync(DesiredState.SecretReferences(
            [.. pools, .. candidates.OfType<BackendPool>()], [.. policies, .. candidates.OfType<LoadBalancerPolicy>()]), ct);
        _certificates?.Reconcile(policies, _isLeader());
        var input = new CompilerInput
        {
            AcmeCertificates = _certificates?.Supervisor.Certificates ?? System.Collections.Immutable.ImmutableDictionary<string, ResolvedSecret>.Empty,
            AcmeChallenges = _certificates?.Supervisor.Challenges ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty,
            Pools = pools,
            Policies = policies,
            Inputs = FrontEndInputs(),
            Services = DesiredState.Services(Services.Items, Slices.Items),
            Secrets = DesiredState.Secrets(Secrets.Items),
        };
        var first = Compiler.Compile(input);
        var result = first;

        // One team's typo must not take down others, nor its own working config: a rejected resource is compiled
        // with its last accepted spec instead, and its status still says what is wrong with the new one.
        var rejected = first.Statuses.Where(s => IsRejected(s.Value)).Select(s => s.Key).ToHashSet();
        foreach (var bad in badPools.Concat(badPolicies)) rejected.Add(bad.Key);
        var fallbacks = new Dictionary<ResourceKey, AcceptedSpec>();
        foreach (var key in rejected)
            if (served.TryGetValue(key, out var live) && FallbackFor(key, live, stored) is { } fallback) fallbacks[key] = fallback;
        if (fallbacks.Count > 0)
        {
            result = Compiler.Compile(input with
            {
                Pools = [.. pools.Where(p => !rejected.Contains(p.Key)), .. fallbacks.Values.Select(f => f.Resource).OfType<BackendPool>()],
                Policies = [.. policies.Where(p => !rejected.Contains(p.Key)), .. fallbacks.Values.Select(f => f.Resource).OfType<LoadBalancerPolicy>()],
            });
        }
        foreach (var resource in pools.Cast<Resource>().Concat(policies))
            if (!rejected.Contains(resource.Key) && first.Statuses.ContainsKey(resource.Key) && served.TryGetValue(resource.Key, out var obj))
                _lastAccepted[resource.Key] = (resource, obj);
        foreach (var key in _lastAccepted.Keys.ToList())
            if (!first.Statuses.ContainsKey(key) && !rejected.Contains(key)) _lastAccepted.Remove(key); // deleted
        // Now that the fallbacks are known, stop watching Secrets that only a superseded spec named. Every current
        // spec's references stay watched, valid or not: the Secret a rejected policy waits for must wake it up.
        await Secrets.TrackAsync(DesiredState.SecretReferences(
            [.. pools, .. fallbacks.Values.Select(f => f.Resource).OfType<BackendPool>()],
            [.. policies, .. fallbacks.Values.Select(f => f.Resource).OfType<LoadBalancerPolicy>()]), ct);

        _desired.Clear();
        foreach (var (key, status) in result.Statuses)
            _desired[key] = rejected.Contains(key) && first.Statuses.TryGetValue(key, out var own) ? own : status;
        foreach (var bad in badPools.Concat(badPolicies))
            _desired[bad.Key] = StatusComposer.Unreadable(bad.Key, bad.Generation, bad.Message);

        Compiles++;
        LastResult = result;
        var current = _hub.Current;
        if (!_hub.HasSnapshot || current.ContentHash != result.Snapshot.ContentHash)
        {
            // Versions are wall-clock based (and strictly increasing here), so they keep rising across operator restarts.
            var version = Math.Max(current.Version + 1, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _hub.Publish(result.Snapshot with { Version = version });
            _logger.LogInformation("published snapshot {Version} ({Hash}): {Pools} pools, {Listeners} listeners",
                version, result.Snapshot.ContentHash, result.Snapshot.Pools.Length, result.Snapshot.Listeners.Length);
        }
        if (_isLeader())
        {
            foreach (var key in _desired.Keys) _queue.Add($"{key.Kind}|{key.Namespace}|{key.Name}");
            // Last, so that a failing write (retried with backoff) never holds back the snapshot or the statuses.
            await _stored.SaveAsync(fallbacks, ct);
        }
    }

    /// <summary>The objects of one kind as the API server serves them (an informer's copy), by resource key.</summary>
    private static IEnumerable<KeyValuePair<ResourceKey, JsonElement>> Served(IEnumerable<JsonElement> items, string kind) =>
        items.Select(item =>
        {
            var meta = item.TryGetProperty("metadata", out var m) ? m : default;
            string Field(string name) => meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
            var ns = Field("namespace");
            return KeyValuePair.Create(new ResourceKey(kind, ns.Length == 0 ? "default" : ns, Field("name")), item);
        });

    /// <summary>
    /// What a rejected resource compiles with: the same object's (same uid: a deleted and recreated resource must
    /// not come back with its predecessor's spec) last accepted spec — the stored one first, so that every replica
    /// falls back alike whatever it saw itself, else the one this replica accepted. Null: none, it drops out.
    /// </summary>
    private AcceptedSpec? FallbackFor(ResourceKey key, JsonElement live, IReadOnlyDictionary<ResourceKey, AcceptedSpec> stored)
    {
        var uid = live.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("uid", out var u) ? u.GetString() ?? "" : "";
        if (uid.Length > 0 && stored.TryGetValue(key, out var persisted) && persisted.Uid == uid) return persisted;
        if (!_lastAccepted.TryGetValue(key, out var own) || (own.Resource.Metadata.Uid ?? "") != uid) return null;
        try { return AcceptedSpec.FromObject(key, own.Served); }
        catch (JsonException e)
        {
            _logger.LogWarning("{Key}: last accepted spec unusable as a fallback: {Error}", key, e.Message); // cannot happen: it parsed when accepted
            return null;
        }
    }

    private static bool IsRejected(ResourceStatus status) =>
        status.Conditions.Any(c => c.Type == ConditionTypes.Accepted && c.Status == ConditionStatus.False);

    private async Task WriteStatusAsync(string queueKey, CancellationToken ct)
    {
        if (!_isLeader()) return;
        var parts = queueKey.Split('|');
        var key = new ResourceKey(parts[0], parts[1], parts[2]);
        if (!_desired.TryGetValue(key, out var compiled)) return;
        if (_frontEnds.Kinds.FirstOrDefault(k => k.Kind.Kind == key.Kind) is { } frontEnd)
        {
            await WriteKindStatusAsync(key, frontEnd, compiled, ct);
            return;
        }
        var isPool = key.Kind == BackendPool.KindName;
        var informer = isPool ? Pools : Policies;
        if (!informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) return;
        var meta = stored.GetProperty("metadata");
        var generation = meta.TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var programmed = _hub.IsProgrammed(key.ToString(), generation);
        var now = _time.GetUtcNow();
        var existingStatus = stored.TryGetProperty("status", out var s) ? s : default;

        object desired;
        List<Condition>? oldConditions;
        if (isPool)
        {
            var existing = existingStatus.ValueKind == JsonValueKind.Object ? existingStatus.Deserialize<BackendPoolStatus>(ModelJson.Options) : null;
            oldConditions = existing?.Conditions;
            desired = StatusComposer.Pool(compiled, programmed, generation, existing, now);
        }
        else
        {
            var existing = existingStatus.ValueKind == JsonValueKind.Object ? existingStatus.Deserialize<LoadBalancerPolicyStatus>(ModelJson.Options) : null;
            oldConditions = existing?.Conditions;
            var acme = _certificates?.StatusesOf(key.Namespace, key.Name) ?? [];
            var policyStatus = StatusComposer.Policy(Certificates.CertificateConditions.AddTo(compiled, acme, generation), programmed, generation, existing, now);
            if (acme.Count > 0) policyStatus.Certificates = Certificates.CertificateConditions.Certificates(acme);
            desired = policyStatus;
        }
        var desiredNode = JsonSerializer.SerializeToNode(desired, desired.GetType(), ModelJson.Options)!;
        var existingNode = existingStatus.ValueKind == JsonValueKind.Object
            ? JsonSerializer.SerializeToNode(existingStatus.Deserialize(desired.GetType(), ModelJson.Options), desired.GetType(), ModelJson.Options)
            : null;
        if (JsonNode.DeepEquals(desiredNode, existingNode)) return;

        var body = new JsonObject
        {
            ["apiVersion"] = ApiGroup.ApiVersion,
            ["kind"] = key.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = key.Name,
                ["namespace"] = key.Namespace,
                ["resourceVersion"] = meta.GetProperty("resourceVersion").GetString(),
            },
            ["status"] = desiredNode,
        };
        await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, ApiGroup.Group, ApiGroup.Version, key.Namespace,
            isPool ? "backendpools" : "loadbalancerpolicies", key.Name, cancellationToken: ct);
        Interlocked.Increment(ref _statusWrites);
        await RecordTransitionAsync(key, meta, oldConditions, desiredNode, ct);
    }

    /// <summary>
    /// A front-end object's status in its own shape (<see cref="ResourceStatus.KindStatus"/>). A Gateway is Programmed
    /// only once every connected replica runs the snapshot holding its generation; until then Programmed=False/Pending.
    /// </summary>
    private async Task WriteKindStatusAsync(ResourceKey key, FrontEndInformers.Watched kind, ResourceStatus compiled, CancellationToken ct)
    {
        if (compiled.KindStatus is null) return;
        if (!kind.Informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) return;
        var meta = stored.GetProperty("metadata");
        var generation = meta.TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var existing = stored.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? JsonNode.Parse(s.GetRawText()) as JsonObject : null;
        var desired = (JsonObject)JsonSerializer.SerializeToNode(compiled.KindStatus, compiled.KindStatus.GetType(), ModelJson.Options)!;
        if (key.Kind == Model.Resources.GatewayApi.Gateway.KindName && _hub.IsProgrammed(key.ToString(), generation) != true
            && desired["conditions"] is JsonArray conditions
            && conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == ConditionTypes.Programmed) is { } programmed
            && programmed["status"]?.GetValue<string>() == ConditionStatus.True)
        {
            programmed["status"] = ConditionStatus.False;
            programmed["reason"] = "Pending";
            programmed["message"] = $"waiting for every connected ingress replica to run generation {generation}";
        }
        desired = KindStatusComposer.Compose(desired, existing, Model.Resources.GatewayApi.GatewayApiGroup.ControllerName, _time.GetUtcNow());
        if (JsonNode.DeepEquals(desired, existing)) return;

        var metadata = new JsonObject { ["name"] = key.Name, ["resourceVersion"] = meta.GetProperty("resourceVersion").GetString() };
        if (key.Namespace.Length > 0) metadata["namespace"] = key.Namespace;
        var body = new JsonObject
        {
            ["apiVersion"] = kind.Kind.ApiVersion(kind.Version),
            ["kind"] = key.Kind,
            ["metadata"] = metadata,
            ["status"] = desired,
        };
        if (key.Namespace.Length == 0)
            await _client.CustomObjects.ReplaceClusterCustomObjectStatusAsync(body, kind.Kind.Group, kind.Version, kind.Kind.Plural, key.Name, cancellationToken: ct);
        else
            await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, kind.Kind.Group, kind.Version, key.Namespace, kind.Kind.Plural, key.Name, cancellationToken: ct);
        Interlocked.Increment(ref _statusWrites);
    }

    /// <summary>A Kubernetes Event when Accepted changes (or first appears), so `kubectl describe` tells the story.</summary>
    private async Task RecordTransitionAsync(ResourceKey key, JsonElement meta, List<Condition>? before, JsonNode status, CancellationToken ct)
    {
        var after = status["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == ConditionTypes.Accepted);
        if (after is null) return;
        var newStatus = after["status"]!.GetValue<string>();
        if (before?.FirstOrDefault(c => c.Type == ConditionTypes.Accepted)?.Status == newStatus) return;
        var ok = newStatus == ConditionStatus.True;
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = key.Name + ".", NamespaceProperty = key.Namespace },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = ApiGroup.ApiVersion, Kind = key.Kind, Name = key.Name, NamespaceProperty = key.Namespace,
                    Uid = meta.TryGetProperty("uid", out var uid) ? uid.GetString() : null,
                },
                Type = ok ? "Normal" : "Warning",
                Reason = ok ? "Accepted" : after["reason"]?.GetValue<string>() ?? "Invalid",
                Message = ok ? $"{key.Kind} accepted" : after["message"]?.GetValue<string>() ?? "",
                Source = new V1EventSource { Component = "ballast-operator" },
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, key.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode != HttpStatusCode.Conflict)
        {
            _logger.LogWarning("event for {Key}: {Error}", key, e.Message); // an event is best effort
        }
    }
}
