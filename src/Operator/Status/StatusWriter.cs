using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
using Ballast.Operator.Delivery;
using Ballast.Operator.Watching;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Status;

/// <summary>
/// Writes one resource's <c>/status</c>: the compiled conditions plus Programmed (from the replicas' reports),
/// CertificateReady and the policy's addresses, only when that differs from what the object carries (no churn),
/// with the object's resourceVersion (a stale one is a 409 and the key is retried). An Event records each change
/// of Accepted, so <c>kubectl describe</c> tells the story.
/// </summary>
public sealed class StatusWriter(
    IKubernetes client,
    SnapshotHub hub,
    TimeProvider time,
    ILogger logger,
    ICache<JsonElement> pools,
    ICache<JsonElement> policies,
    Certificates.OperatorCertificates? certificates)
{
    /// <summary>Status writes that went to the API server (tests assert "no churn" on it).</summary>
    public int Writes => Volatile.Read(ref _writes);
    private int _writes;

    /// <summary>Writes <paramref name="compiled"/> as the status of <paramref name="key"/> when it changed; false when nothing was written.</summary>
    /// <param name="addresses">A policy's <c>status.addresses</c>.</param>
    public async Task<bool> WriteAsync(ResourceKey key, ResourceStatus compiled, List<PolicyAddress>? addresses, CancellationToken ct)
    {
        var isPool = key.Kind == BackendPool.KindName;
        var informer = isPool ? pools : policies;
        if (!informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) return false;
        var meta = stored.GetProperty("metadata");
        var generation = meta.TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var programmed = hub.IsProgrammed(key.ToString(), generation);
        var now = time.GetUtcNow();
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
            var acme = certificates?.StatusesOf(key.Namespace, key.Name) ?? [];
            var policyStatus = StatusComposer.Policy(Certificates.CertificateConditions.AddTo(compiled, acme, generation), programmed, generation, existing, now, addresses);
            if (acme.Count > 0) policyStatus.Certificates = Certificates.CertificateConditions.Certificates(acme);
            desired = policyStatus;
        }
        var desiredNode = JsonSerializer.SerializeToNode(desired, desired.GetType(), ModelJson.Options)!;
        var existingNode = existingStatus.ValueKind == JsonValueKind.Object
            ? JsonSerializer.SerializeToNode(existingStatus.Deserialize(desired.GetType(), ModelJson.Options), desired.GetType(), ModelJson.Options)
            : null;
        if (JsonNode.DeepEquals(desiredNode, existingNode)) return false;

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
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, ApiGroup.Group, ApiGroup.Version, key.Namespace,
            isPool ? "backendpools" : "loadbalancerpolicies", key.Name, cancellationToken: ct);
        Interlocked.Increment(ref _writes);
        await RecordTransitionAsync(key, meta, oldConditions, desiredNode, ct);
        return true;
    }

    /// <summary>A Kubernetes Event when Accepted changes (or first appears).</summary>
    private async Task RecordTransitionAsync(ResourceKey key, JsonElement meta, List<Condition>? before, JsonNode status, CancellationToken ct)
    {
        var after = status["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == ConditionTypes.Accepted);
        if (after is null) return;
        var newStatus = after["status"]!.GetValue<string>();
        if (before?.FirstOrDefault(c => c.Type == ConditionTypes.Accepted)?.Status == newStatus) return;
        var ok = newStatus == ConditionStatus.True;
        // The same news as the Event, in the log (the reconcile loop's scope adds kind/namespace/name as fields).
        if (ok) logger.LogInformation("{Key}: accepted", key);
        else logger.LogWarning("{Key}: not accepted ({Reason}): {Message}", key, after["reason"]?.GetValue<string>(), after["message"]?.GetValue<string>());
        var involved = new V1ObjectReference
        {
            ApiVersion = ApiGroup.ApiVersion,
            Kind = key.Kind,
            Name = key.Name,
            NamespaceProperty = key.Namespace,
            Uid = meta.TryGetProperty("uid", out var uid) ? uid.GetString() : null,
        };
        await new EventRecorder(client, time, logger).RecordAsync(involved, warning: !ok, ok ? ConditionReasons.Accepted : after["reason"]?.GetValue<string>() ?? ConditionReasons.Invalid,
            ok ? $"{key.Kind} accepted" : after["message"]?.GetValue<string>() ?? "", ct);
    }
}
