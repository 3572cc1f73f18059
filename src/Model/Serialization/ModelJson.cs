using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ballast.Model.Serialization;

/// <summary>
/// The one set of JSON options for resources (read from and written to the Kubernetes API) and for
/// snapshots (streamed to replicas, kept on disk). Strict on read: a field nobody knows is an error,
/// so a typo never silently turns into a default.
/// </summary>
public static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>
    /// <see cref="Options"/> that skip fields they do not know: for a snapshot a newer operator wrote (a rolling
    /// upgrade runs the new operator beside old replicas for a while). Only after the strict read failed, and said.
    /// </summary>
    public static JsonSerializerOptions SkippingUnknownFields { get; } = CreateSkipping();

    private static JsonSerializerOptions CreateSkipping()
    {
        var options = new JsonSerializerOptions(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null, // header names, label keys: written as the user wrote them
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            PropertyNameCaseInsensitive = false,
        };
        // Snapshot enums carry no attribute; resource enums do (the attribute wins for them).
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// JSON with object properties sorted by ordinal name: the same data gives the same bytes in every
    /// process (dictionary enumeration order is not stable across processes; string hashing is randomised).
    /// </summary>
    public static string Canonical<T>(T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Options);
        return Sort(node)?.ToJsonString() ?? "null";
    }

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(e => Sort(e?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
