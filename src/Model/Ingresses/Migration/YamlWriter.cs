using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Serialization;
using YamlDotNet.Serialization;

namespace Ballast.Model.Ingresses.Migration;

/// <summary>
/// Resources → YAML documents, deterministic: fields in the order the types declare them,
/// strings quoted wherever YAML would read them as something else (<c>"true"</c>, <c>"8080"</c>).
/// </summary>
public static class YamlWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    public static string Documents(IEnumerable<object> resources) =>
        string.Join("---\n", resources.Select(Document));

    /// <summary>Kubernetes order: apiVersion, kind, metadata first (System.Text.Json writes a derived type's own properties first).</summary>
    private static readonly string[] Leading = ["apiVersion", "kind", "metadata"];

    public static string Document(object resource)
    {
        var fields = (Dictionary<string, object?>)Plain(JsonSerializer.SerializeToNode(resource, resource.GetType(), ModelJson.Options))!;
        // Computed (get-only) properties of a resource type are views for the code, not fields of the resource.
        var writable = resource.GetType().GetProperties()
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToHashSet(StringComparer.Ordinal);
        var ordered = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in Leading.Where(fields.ContainsKey).Concat(fields.Keys.Where(k => !Leading.Contains(k))))
            if (writable.Contains(key)) ordered[key] = fields[key];
        return Serializer.Serialize(ordered);
    }

    /// <summary>Any JSON as block YAML, keys in the order the node holds them (the golden compiler cases' status.yaml).</summary>
    public static string Write(JsonNode? node) => Serializer.Serialize(Plain(node));

    /// <summary>JSON → plain dictionaries, lists and scalars YamlDotNet writes as block YAML.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[p.Key] = Plain(p.Value); return d; }),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
