using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// What the API server does to a custom resource while decoding it, before validation: drops fields the schema
/// does not declare (pruning; <c>x-kubernetes-preserve-unknown-fields</c> keeps them) and nulls of non-nullable
/// fields, then fills in <c>default</c>s for absent fields of objects that are present (Kubernetes defaulting:
/// a default never creates its parent).
/// </summary>
internal static class Decoding
{
    /// <summary>Prunes and defaults <paramref name="value"/> in place; returns the unknown fields' paths (<c>spec.foo</c>).</summary>
    public static List<string> PruneAndDefault(JsonObject root, SchemaNode schema)
    {
        var unknown = new List<string>();
        foreach (var (name, child) in schema.Properties)
        {
            // The API server handles metadata itself (ObjectMeta); apiVersion and kind are set by the emulator.
            if (name is "metadata" or "apiVersion" or "kind") continue;
            if (root[name] is { } value) Visit(value, child, name, unknown);
        }
        foreach (var name in root.Select(kv => kv.Key).ToList())
        {
            if (name is "metadata" or "apiVersion" or "kind" || schema.Properties.ContainsKey(name)) continue;
            unknown.Add(name);
            root.Remove(name);
        }
        RemoveNulls(root, schema);
        ApplyDefaults(root, schema, skipMetadata: true);
        unknown.Sort(StringComparer.Ordinal); // the API server reports them sorted
        return unknown;
    }

    private static void Visit(JsonNode node, SchemaNode schema, string path, List<string> unknown)
    {
        if (schema.PreserveUnknownFields && schema.Properties.Count == 0 && schema.AdditionalProperties is null && schema.Items is null) return;
        switch (node)
        {
            case JsonObject o:
                RemoveNulls(o, schema);
                foreach (var name in o.Select(kv => kv.Key).ToList())
                {
                    var child = schema.Properties.GetValueOrDefault(name) ?? schema.AdditionalProperties;
                    if (child is null)
                    {
                        if (schema.PreserveUnknownFields) continue;
                        unknown.Add(FieldPath.Child(path, name));
                        o.Remove(name);
                    }
                    else if (o[name] is { } v) Visit(v, child, FieldPath.Child(path, name), unknown);
                }
                break;
            case JsonArray a when schema.Items is not null:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item) Visit(item, schema.Items, FieldPath.Index(path, i), unknown);
                break;
        }
    }

    private static void RemoveNulls(JsonObject o, SchemaNode schema)
    {
        foreach (var (name, value) in o.ToList())
        {
            if (value is not null && value.GetValueKind() != JsonValueKind.Null) continue;
            var child = schema.Properties.GetValueOrDefault(name) ?? schema.AdditionalProperties;
            if (child is null || !child.Nullable) o.Remove(name);
        }
    }

    private static void ApplyDefaults(JsonNode node, SchemaNode schema, bool skipMetadata = false)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in schema.Properties)
                {
                    if (skipMetadata && name == "metadata") continue;
                    if (!o.ContainsKey(name) && child.Default is not null) o[name] = child.Default.DeepClone();
                    if (o[name] is { } value) ApplyDefaults(value, child);
                }
                if (schema.AdditionalProperties is { } ap)
                    foreach (var (name, value) in o.ToList())
                        if (!schema.Properties.ContainsKey(name) && value is not null) ApplyDefaults(value, ap);
                break;
            case JsonArray a when schema.Items is not null:
                foreach (var item in a)
                    if (item is not null) ApplyDefaults(item, schema.Items);
                break;
        }
    }
}
