using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;

namespace Ballast.Operator.State;

/// <summary>
/// A resource's last spec that compiled cleanly: the fallback a later invalid edit of the same object (same uid)
/// is compiled with. <see cref="Json"/> is the object as the API server served it, trimmed to what the Compiler
/// reads (no status, managedFields, resourceVersion or kubectl's last-applied copy), and <see cref="Resource"/> is
/// always parsed back from that text, so a fallback compiles the same whether it comes from this replica's memory
/// or from the ConfigMap the leader wrote: every operator replica publishes the same snapshot content.
/// </summary>
public sealed record AcceptedSpec(ResourceKey Key, string Uid, Resource Resource, string Json)
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>The ConfigMap key of a resource: <c>kind.namespace.name</c> (namespaces hold no dots, so it splits back unambiguously).</summary>
    public static string EntryKey(ResourceKey key) => $"{key.Kind}.{key.Namespace}.{key.Name}";

    /// <summary>From the informer's object of an accepted resource.</summary>
    public static AcceptedSpec FromObject(ResourceKey key, JsonElement served)
    {
        var node = JsonNode.Parse(served.GetRawText())!.AsObject();
        node.Remove("status");
        if (node["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
            meta.Remove("resourceVersion");
            if (meta["annotations"] is JsonObject annotations)
            {
                annotations.Remove(LastApplied);
                if (annotations.Count == 0) meta.Remove("annotations");
            }
        }
        return Parse(key, node.ToJsonString());
    }

    /// <summary>A ConfigMap entry back to a fallback; throws <see cref="JsonException"/> naming what is wrong.</summary>
    public static AcceptedSpec FromEntry(string entryKey, string json)
    {
        var parts = entryKey.Split('.', 3);
        if (parts.Length != 3) throw new JsonException($"key \"{entryKey}\": expected kind.namespace.name");
        return Parse(new ResourceKey(parts[0], parts[1], parts[2]), json);
    }

    private static AcceptedSpec Parse(ResourceKey key, string json)
    {
        Resource? resource = key.Kind switch
        {
            BackendPool.KindName => JsonSerializer.Deserialize<BackendPool>(json, ModelJson.Options),
            LoadBalancerPolicy.KindName => JsonSerializer.Deserialize<LoadBalancerPolicy>(json, ModelJson.Options),
            _ => throw new JsonException($"kind \"{key.Kind}\": not a Ballast resource"),
        };
        if (resource is null) throw new JsonException("empty object");
        if (resource.Key != key) throw new JsonException($"metadata: the object is {resource.Key}, the key names {key}");
        return new AcceptedSpec(key, resource.Metadata.Uid ?? "", resource, json);
    }
}
