using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Validation;

namespace Ballast.KubeEmulator.Apply;

/// <summary>One <c>metadata.managedFields</c> entry: who set which fields, by apply or by update, through which subresource.</summary>
public sealed record ManagerEntry(string Manager, string Operation, string ApiVersion, string? Subresource, string Time, FieldSet Fields)
{
    public bool IsSame(ManagerEntry other) => Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource;

    /// <summary>How a conflict names this owner: appliers by name, updaters by name and API version.</summary>
    public string Describe() => Operation == "Apply" ? $"\"{Manager}\"" : $"\"{Manager}\" using {ApiVersion}";

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
            ["time"] = Time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(),
        };
        if (Subresource is not null) o["subresource"] = Subresource;
        return o;
    }

    public static ManagerEntry FromJson(JsonObject o) => new(
        o["manager"]?.GetValue<string>() ?? "",
        o["operation"]?.GetValue<string>() ?? "Update",
        o["apiVersion"]?.GetValue<string>() ?? "",
        o["subresource"]?.GetValue<string>(),
        o["time"]?.GetValue<string>() ?? "",
        FieldSet.FromFieldsV1(o["fieldsV1"] as JsonObject));
}

/// <summary>
/// Field ownership as the API server keeps it: every write records which manager set which fields. An update
/// (create, PUT, merge or JSON patch) gives its manager the fields it changed and takes them from everyone else;
/// an apply is handled by <see cref="ServerSideApply"/>.
/// </summary>
public static class ManagedFields
{
    public static List<ManagerEntry> Read(JsonObject obj) =>
        obj["metadata"]?["managedFields"] is JsonArray a ? [.. a.OfType<JsonObject>().Select(ManagerEntry.FromJson)] : [];

    public static void Write(JsonObject obj, IEnumerable<ManagerEntry> entries)
    {
        var kept = entries.Where(e => e.Fields.Count > 0).Select(e => (JsonNode)e.ToJson()).ToArray();
        var meta = (JsonObject)obj["metadata"]!;
        if (kept.Length == 0) meta.Remove("managedFields");
        else meta["managedFields"] = new JsonArray(kept);
    }

    /// <summary>Which top-level fields a write through the main resource or <c>/status</c> may own.</summary>
    public static Func<string, bool> Scope(ResourceType type, bool statusOnly) =>
        statusOnly ? name => name == "status"
        : name => name is not ("apiVersion" or "kind") && !(type.HasStatusSubresource && name == "status");

    /// <summary>Records an update by <paramref name="manager"/> that turned <paramref name="old"/> (null for a create) into <paramref name="next"/>.</summary>
    public static void RecordUpdate(ResourceType type, JsonObject? old, JsonObject next, string manager, bool statusOnly, string now)
    {
        var scope = Scope(type, statusOnly);
        var schema = type.Crd?.Schema;
        var before = old is null ? FieldSet.Empty : FieldSet.FromObject(old, schema, scope);
        var after = FieldSet.FromObject(next, schema, scope);
        var changed = FieldSet.Of(after.Paths.Where(p =>
            !before.Contains(p) || !JsonNode.DeepEquals(FieldSet.ValueAt(old, p), FieldSet.ValueAt(next, p))));
        var removed = before.Except(after);
        var entries = old is null ? [] : Read(old);
        var subresource = statusOnly ? "status" : null;
        var mine = new ManagerEntry(manager, "Update", type.ApiVersion, subresource, now, FieldSet.Empty);
        var result = new List<ManagerEntry>();
        foreach (var e in entries)
        {
            var fields = e.Fields.Except(changed).Except(removed);
            if (e.IsSame(mine)) mine = e with { Fields = fields };
            else result.Add(e with { Fields = fields });
        }
        if (changed.Count > 0) mine = mine with { Fields = mine.Fields.Union(changed), Time = now };
        result.Add(mine);
        Write(next, result);
    }
}
