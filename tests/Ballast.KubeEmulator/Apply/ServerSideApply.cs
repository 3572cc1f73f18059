using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Validation;

namespace Ballast.KubeEmulator.Apply;

/// <summary>
/// Server-side apply (<c>PATCH</c> with <c>application/apply-patch+yaml</c>): the applied configuration is merged
/// into the live object (objects field by field, map lists item by item by key, other lists whole), fields this
/// manager applied before and left out now are removed unless someone else owns them, and a field another manager
/// owns with a different value is a conflict, unless <c>force</c> takes it over.
/// </summary>
public static class ServerSideApply
{
    public sealed record Conflict(ManagerEntry Owner, string[] Path);

    public sealed record Outcome(JsonObject? Merged, IReadOnlyList<Conflict> Conflicts);

    public static Outcome Apply(ResourceType type, JsonObject? live, JsonObject config, string manager, bool force, bool statusOnly, string now)
    {
        var schema = type.Crd?.Schema;
        var scope = ManagedFields.Scope(type, statusOnly);
        var applied = Scoped(config, scope);
        var configFields = FieldSet.FromObject(applied, schema, scope);
        var mine = new ManagerEntry(manager, "Apply", type.ApiVersion, statusOnly ? "status" : null, now, configFields);
        if (live is null)
        {
            var created = (JsonObject)config.DeepClone();
            created["metadata"] ??= new JsonObject();
            ManagedFields.Write(created, [mine]);
            return new Outcome(created, []);
        }

        var others = ManagedFields.Read(live).Where(e => !e.IsSame(mine)).ToList();
        var previous = ManagedFields.Read(live).FirstOrDefault(e => e.IsSame(mine))?.Fields ?? FieldSet.Empty;
        var conflicts = new List<Conflict>();
        foreach (var owner in others)
            foreach (var path in owner.Fields.Intersect(configFields).Paths)
                if (path[^1] != "." && !JsonNode.DeepEquals(FieldSet.ValueAt(live, path), FieldSet.ValueAt(applied, path)))
                    conflicts.Add(new Conflict(owner, path));
        if (conflicts.Count > 0 && !force) return new Outcome(null, conflicts);

        // Forced: the conflicting fields change hands.
        var taken = FieldSet.Of(conflicts.Select(c => c.Path));
        others = [.. others.Select(e => e with { Fields = e.Fields.Except(taken) })];

        var merged = (JsonObject)live.DeepClone();
        var ownedByOthers = others.Aggregate(FieldSet.Empty, (all, e) => all.Union(e.Fields));
        foreach (var path in previous.Except(configFields).Paths.OrderByDescending(p => p.Length))
            if (!OwnedWithin(ownedByOthers, path)) FieldSet.RemoveAt(merged, path);
        Merge(merged, applied, schema);
        ManagedFields.Write(merged, [.. others, mine]);
        return new Outcome(merged, []);
    }

    /// <summary>A field, or a list item with anything inside it, that another manager still owns stays.</summary>
    private static bool OwnedWithin(FieldSet owned, string[] path)
    {
        var prefix = path[^1] == "." ? path[..^1] : path;
        return owned.Paths.Any(p => p.Length >= prefix.Length && p.AsSpan(0, prefix.Length).SequenceEqual(prefix));
    }

    /// <summary>The part of an applied configuration this endpoint takes: no identity fields, and status only through /status.</summary>
    private static JsonObject Scoped(JsonObject config, Func<string, bool> scope)
    {
        var result = new JsonObject();
        foreach (var (name, value) in config)
        {
            if (!scope(name) || value is null) continue;
            if (name == "metadata")
            {
                var meta = new JsonObject();
                foreach (var part in new[] { "labels", "annotations" })
                    if (value[part] is JsonObject map) meta[part] = map.DeepClone();
                result["metadata"] = meta;
            }
            else result[name] = value.DeepClone();
        }
        return result;
    }

    private static void Merge(JsonObject live, JsonObject config, SchemaNode? schema)
    {
        foreach (var (name, value) in config)
        {
            var child = name == "metadata" ? null : schema?.Properties.GetValueOrDefault(name) ?? schema?.AdditionalProperties;
            live[name] = MergeValue(live[name], value, child);
        }
    }

    private static JsonNode? MergeValue(JsonNode? live, JsonNode? config, SchemaNode? schema)
    {
        switch (config)
        {
            case JsonObject c when live is JsonObject l && schema?.MapType != "atomic":
                var merged = (JsonObject)l.DeepClone();
                Merge(merged, c, schema);
                return merged;
            case JsonArray c when live is JsonArray l && schema?.ListType == "map":
                {
                    var result = (JsonArray)l.DeepClone();
                    foreach (var item in c)
                    {
                        if (item is not JsonObject o) continue;
                        var key = FieldSet.ItemKey(o, schema.ListMapKeys);
                        var existing = FieldSet.ValueAt(result, [key]);
                        if (existing is null) result.Add(o.DeepClone());
                        else result[result.IndexOf(existing)] = MergeValue(existing, o, schema.Items);
                    }
                    return result;
                }
            case JsonArray c when live is JsonArray l && schema?.ListType == "set":
                {
                    var result = (JsonArray)l.DeepClone();
                    foreach (var item in c)
                        if (!result.Any(x => JsonNode.DeepEquals(x, item))) result.Add(item?.DeepClone());
                    return result;
                }
            default:
                return config?.DeepClone();
        }
    }
}
