using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses;
using Ballast.Model.Resources;
using Ballast.Operator.Watching;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Status;

/// <summary>
/// What a served Ingress shows, in the shape a real cluster has for it: <c>status.loadBalancer.ingress</c> from the
/// same addresses policies carry in <c>status.addresses</c> (the ingress Service's load balancer, the nodes, or the
/// configured ones; none while the Ingress is not accepted), written only when it changed; and a Warning event per
/// problem (an unsupported or malformed annotation, a missing Service …), since an Ingress's status has no
/// conditions. Each problem is recorded once while it lasts: again only after it went away and came back, or when
/// the Ingress was recreated (another uid), or after the leader changed (the new leader has not seen it).
/// An Ingress that stops being ours (its class now names another controller, or our IngressClass was deleted or
/// changed) has the address cleared (<see cref="ClearIfOursAsync"/>), but only the address Ballast wrote: another
/// controller's status is never touched.
/// </summary>
public sealed class IngressStatusWriter(IKubernetes client, TimeProvider time, ILogger logger)
{
    /// <summary>Per Ingress: the uid and the (reason, message) pairs already recorded. Touched by the reconcile loop only.</summary>
    private readonly Dictionary<ResourceKey, (string? Uid, HashSet<(string, string)> Recorded)> _recorded = [];

    /// <summary>Per Ingress: the non-empty <c>status.loadBalancer</c> this writer last wrote. Touched by the reconcile loop only.</summary>
    private readonly Dictionary<ResourceKey, JsonNode> _written = [];

    public int Writes => Volatile.Read(ref _writes);
    private int _writes;

    /// <param name="warnings">This Ingress's problems from the last compile (<see cref="IngressEvents.Warnings"/>).</param>
    /// <param name="addresses">Where clients reach the ingress; null: not known yet.</param>
    public async Task<bool> WriteAsync(ResourceKey key, FrontEndInformers.Watched kind, ResourceStatus compiled, IEnumerable<IngressEvent> warnings,
        List<PolicyAddress>? addresses, CancellationToken ct)
    {
        if (!kind.Informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) return false;
        var meta = stored.GetProperty("metadata");
        var uid = meta.TryGetProperty("uid", out var u) ? u.GetString() : null;
        await RecordNewWarningsAsync(key, uid, kind, warnings, ct);

        var accepted = compiled.Conditions.Any(c => c.Type == ConditionTypes.Accepted && c.Status == ConditionStatus.True);
        var desired = LoadBalancer(accepted ? addresses : null);
        var existing = CurrentLoadBalancer(stored);
        if (Same(desired, existing)) return false;
        await ReplaceAsync(key, kind, meta, desired, ct);
        return true;
    }

    /// <summary>
    /// For an Ingress that is not (or no longer) ours: clears <c>status.loadBalancer</c> when it holds what Ballast
    /// wrote, that is what this writer last wrote there, or, after an operator restart or a change of leader (nothing
    /// remembered), exactly the addresses Ballast publishes. Anything else is another controller's and stays.
    /// </summary>
    public async Task<bool> ClearIfOursAsync(ResourceKey key, FrontEndInformers.Watched kind, List<PolicyAddress>? addresses, CancellationToken ct)
    {
        if (!kind.Informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) { _written.Remove(key); return false; }
        var existing = CurrentLoadBalancer(stored);
        if (!WroteIt(key, existing, addresses)) return false;
        await ReplaceAsync(key, kind, stored.GetProperty("metadata"), new JsonObject(), ct);
        return true;
    }

    /// <summary>Whether an Ingress that is not ours shows an address Ballast wrote (the reconcile pass queues only those).</summary>
    public bool WroteIt(ResourceKey key, JsonElement stored, List<PolicyAddress>? addresses) => WroteIt(key, CurrentLoadBalancer(stored), addresses);

    private bool WroteIt(ResourceKey key, JsonNode? existing, List<PolicyAddress>? addresses)
    {
        if (existing?["ingress"] is not JsonArray { Count: > 0 }) return false;
        return (_written.TryGetValue(key, out var written) && Same(written, existing)) || (addresses is { Count: > 0 } && Same(LoadBalancer(addresses), existing));
    }

    private static JsonNode? CurrentLoadBalancer(JsonElement stored) =>
        stored.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("loadBalancer", out var lb)
            ? JsonNode.Parse(lb.GetRawText()) : null;

    private async Task ReplaceAsync(ResourceKey key, FrontEndInformers.Watched kind, JsonElement meta, JsonObject desired, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = kind.Kind.ApiVersion(kind.Version),
            ["kind"] = key.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = key.Name,
                ["namespace"] = key.Namespace,
                ["resourceVersion"] = meta.GetProperty("resourceVersion").GetString(),
            },
            ["status"] = new JsonObject { ["loadBalancer"] = desired },
        };
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, kind.Kind.Group, kind.Version, key.Namespace, kind.Kind.Plural, key.Name, cancellationToken: ct);
        Interlocked.Increment(ref _writes);
        if (desired["ingress"] is JsonArray { Count: > 0 }) _written[key] = desired.DeepClone();
        else _written.Remove(key);
    }

    /// <summary>Forgets what was recorded for Ingresses that are gone or no longer ours.</summary>
    public void Retain(IReadOnlySet<ResourceKey> served)
    {
        foreach (var key in _recorded.Keys.Where(k => !served.Contains(k)).ToList()) _recorded.Remove(key);
    }

    /// <summary><c>{ingress: [{ip} | {hostname}]}</c>, or <c>{}</c> (what the API server shows for an Ingress no one serves yet).</summary>
    public static JsonObject LoadBalancer(IReadOnlyList<PolicyAddress>? addresses)
    {
        if (addresses is not { Count: > 0 }) return new JsonObject();
        var ingress = new JsonArray();
        foreach (var a in addresses)
            ingress.Add(new JsonObject { [a.Type == PolicyAddress.IPAddress ? "ip" : "hostname"] = a.Value });
        return new JsonObject { ["ingress"] = ingress };
    }

    /// <summary>An absent or empty list is the same as no list.</summary>
    private static bool Same(JsonNode desired, JsonNode? existing)
    {
        static JsonNode? List(JsonNode? lb) => lb?["ingress"] is JsonArray { Count: > 0 } a ? a : null;
        return JsonNode.DeepEquals(List(desired), List(existing));
    }

    private async Task RecordNewWarningsAsync(ResourceKey key, string? uid, FrontEndInformers.Watched kind, IEnumerable<IngressEvent> warnings, CancellationToken ct)
    {
        var current = warnings.Select(w => (w.Reason, w.Message)).ToHashSet();
        var before = _recorded.TryGetValue(key, out var r) && r.Uid == uid ? r.Recorded : [];
        var involved = new V1ObjectReference
        {
            ApiVersion = kind.Kind.ApiVersion(kind.Version),
            Kind = key.Kind,
            Name = key.Name,
            NamespaceProperty = key.Namespace,
            Uid = uid,
        };
        foreach (var (reason, message) in current.Where(c => !before.Contains(c)))
            await new EventRecorder(client, time, logger).RecordAsync(involved, warning: true, reason, message, ct);
        _recorded[key] = (uid, current);
    }
}
