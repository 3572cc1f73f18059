using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Serialization;
using Ballast.Operator.Delivery;
using Ballast.Operator.Watching;
using k8s;

namespace Ballast.Operator.Status;

/// <summary>
/// Writes a front-end object's status in its own shape (<see cref="ResourceStatus.KindStatus"/>: Gateway API's), only
/// when it differs from what the object carries. A Gateway is Programmed only once every connected replica runs the
/// snapshot holding its generation; until then Programmed=False/Pending.
/// </summary>
public sealed class KindStatusWriter(IKubernetes client, SnapshotHub hub, TimeProvider time)
{
    public int Writes => Volatile.Read(ref _writes);
    private int _writes;

    public async Task<bool> WriteAsync(ResourceKey key, FrontEndInformers.Watched kind, ResourceStatus compiled, CancellationToken ct)
    {
        if (compiled.KindStatus is null) return false;
        if (!kind.Informer.TryGet($"{key.Namespace}/{key.Name}", out var stored)) return false;
        var meta = stored.GetProperty("metadata");
        var generation = meta.TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var existing = stored.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? JsonNode.Parse(s.GetRawText()) as JsonObject : null;
        var desired = (JsonObject)JsonSerializer.SerializeToNode(compiled.KindStatus, compiled.KindStatus.GetType(), ModelJson.Options)!;
        if (key.Kind == Gateway.KindName && hub.IsProgrammed(key.ToString(), generation) != true
            && desired["conditions"] is JsonArray conditions
            && conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == ConditionTypes.Programmed) is { } programmed
            && programmed["status"]?.GetValue<string>() == ConditionStatus.True)
        {
            programmed["status"] = ConditionStatus.False;
            programmed["reason"] = "Pending";
            programmed["message"] = $"waiting for every connected ingress replica to run generation {generation}";
        }
        desired = KindStatusComposer.Compose(desired, existing, GatewayApiGroup.ControllerName, time.GetUtcNow());
        if (JsonNode.DeepEquals(desired, existing)) return false;

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
            await client.CustomObjects.ReplaceClusterCustomObjectStatusAsync(body, kind.Kind.Group, kind.Version, kind.Kind.Plural, key.Name, cancellationToken: ct);
        else
            await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, kind.Kind.Group, kind.Version, key.Namespace, kind.Kind.Plural, key.Name, cancellationToken: ct);
        Interlocked.Increment(ref _writes);
        return true;
    }
}
