using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Validation;

namespace Ballast.KubeEmulator.Apply;

/// <summary>
/// A set of fields of an object, as server-side apply tracks ownership. Each member is a path of
/// <c>fieldsV1</c> steps: <c>f:name</c> (an object field), <c>k:{"name":"http"}</c> (an item of a map list, by its
/// keys), <c>v:"x"</c> (an item of a set list), and a closing <c>.</c> for a list item itself. Leaves are scalars,
/// atomic lists, atomic maps and empty objects; granular objects and map lists are recursed into.
/// </summary>
public sealed class FieldSet
{
    private readonly HashSet<string> _paths;

    private FieldSet(HashSet<string> paths) => _paths = paths;

    public static FieldSet Empty => new([]);

    public int Count => _paths.Count;
    public IEnumerable<string[]> Paths => _paths.Select(Split);
    public bool Contains(string[] path) => _paths.Contains(Join(path));

    public FieldSet Union(FieldSet other) => new([.. _paths, .. other._paths]);
    public FieldSet Except(FieldSet other) => new([.. _paths.Where(p => !other._paths.Contains(p))]);
    public FieldSet Intersect(FieldSet other) => new([.. _paths.Where(other._paths.Contains)]);
    public static FieldSet Of(IEnumerable<string[]> paths) => new([.. paths.Select(Join)]);

    /// <summary>The fields an object sets. <paramref name="scope"/> picks the top-level fields that count (spec, status, metadata's labels and annotations).</summary>
    public static FieldSet FromObject(JsonObject obj, SchemaNode? schema, Func<string, bool> scope)
    {
        var paths = new HashSet<string>();
        foreach (var (name, value) in obj)
        {
            if (!scope(name) || value is null) continue;
            if (name == "metadata")
            {
                foreach (var part in new[] { "labels", "annotations" })
                    if (value[part] is JsonObject map)
                        foreach (var (k, _) in map) paths.Add(Join(["f:metadata", "f:" + part, "f:" + k]));
                continue;
            }
            Collect(value, schema?.Properties.GetValueOrDefault(name), ["f:" + name], paths);
        }
        return new FieldSet(paths);
    }

    private static void Collect(JsonNode value, SchemaNode? schema, List<string> path, HashSet<string> paths)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0 && schema?.MapType != "atomic":
                foreach (var (name, child) in o)
                    if (child is not null)
                        Collect(child, schema?.Properties.GetValueOrDefault(name) ?? schema?.AdditionalProperties, [.. path, "f:" + name], paths);
                break;
            case JsonArray a when schema?.ListType == "map":
                foreach (var item in a.OfType<JsonObject>())
                {
                    List<string> itemPath = [.. path, ItemKey(item, schema.ListMapKeys)];
                    paths.Add(Join([.. itemPath, "."]));
                    Collect(item, schema.Items, itemPath, paths);
                }
                break;
            case JsonArray a when schema?.ListType == "set":
                foreach (var item in a) paths.Add(Join([.. path, "v:" + (item?.ToJsonString() ?? "null")]));
                break;
            default:
                paths.Add(Join(path));
                break;
        }
    }

    public static string ItemKey(JsonObject item, IReadOnlyList<string> keys) =>
        "k:" + new JsonObject(keys.Where(item.ContainsKey).Select(k => KeyValuePair.Create(k, item[k]?.DeepClone()))).ToJsonString();

    /// <summary>The <c>fieldsV1</c> document of <c>managedFields</c>: nested <c>{"f:spec":{"f:x":{}}}</c>.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in _paths.Order(StringComparer.Ordinal).Select(Split))
        {
            var node = root;
            foreach (var step in path)
            {
                if (node[step] is not JsonObject next) node[step] = next = new JsonObject();
                node = next;
            }
        }
        return root;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var paths = new HashSet<string>();
        if (fields is not null) Read(fields, [], paths);
        return new FieldSet(paths);
    }

    private static void Read(JsonObject node, List<string> path, HashSet<string> paths)
    {
        foreach (var (step, child) in node)
        {
            if (step == ".") { paths.Add(Join([.. path, "."])); continue; }
            if (child is JsonObject { Count: > 0 } inner) Read(inner, [.. path, step], paths);
            else paths.Add(Join([.. path, step]));
        }
    }

    /// <summary>The value at a path (a list item for a path ending in <c>.</c>); null when absent.</summary>
    public static JsonNode? ValueAt(JsonNode? root, string[] path)
    {
        var node = root;
        foreach (var step in path)
        {
            if (node is null) return null;
            node = Step(node, step);
        }
        return node;
    }

    /// <summary>Removes the field (or list item) at a path, if present.</summary>
    public static void RemoveAt(JsonObject root, string[] path)
    {
        var last = path[^1] == "." ? path.Length - 2 : path.Length - 1;
        var parent = ValueAt(root, path[..last]);
        var step = path[last];
        switch (parent)
        {
            case JsonObject o when step.StartsWith("f:", StringComparison.Ordinal): o.Remove(step[2..]); break;
            case JsonArray a when Step(a, step) is { } item: a.Remove(item); break;
        }
    }

    private static JsonNode? Step(JsonNode node, string step)
    {
        if (step == ".") return node;
        var text = step[2..];
        return step[0] switch
        {
            'f' => (node as JsonObject)?[text],
            'k' => (node as JsonArray)?.FirstOrDefault(item => item is JsonObject o && KeyMatches(o, text)),
            'v' => (node as JsonArray)?.FirstOrDefault(item => JsonNode.DeepEquals(item, JsonNode.Parse(text))),
            _ => null,
        };
    }

    private static bool KeyMatches(JsonObject item, string keyJson) =>
        JsonNode.Parse(keyJson) is JsonObject key && key.All(kv => JsonNode.DeepEquals(item[kv.Key], kv.Value));

    /// <summary>The path as kubectl shows a conflicting field: <c>.spec.listeners[name="http"].port</c>.</summary>
    public static string Display(string[] path)
    {
        var b = new System.Text.StringBuilder();
        foreach (var step in path)
        {
            if (step == ".") continue;
            var text = step[2..];
            switch (step[0])
            {
                case 'f': b.Append('.').Append(text); break;
                case 'k':
                    var key = JsonNode.Parse(text)!.AsObject();
                    b.Append('[').Append(string.Join(",", key.Select(kv => $"{kv.Key}={kv.Value!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}"))).Append(']');
                    break;
                default: b.Append('[').Append(text).Append(']'); break;
            }
        }
        return b.ToString();
    }

    private static string Join(IEnumerable<string> path) => string.Join('\n', path);
    private static string[] Split(string path) => path.Split('\n');
}
