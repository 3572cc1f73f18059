using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>
/// Resources from the API server come through System.Text.Json, which happily puts null into a
/// non-nullable property (<c>"spec": null</c>, <c>"listeners": [null]</c>). This finds such holes before
/// the rules run, so bad input becomes a diagnostic with the field's path instead of an exception.
/// </summary>
internal static class NullGuard
{
    public static void Check(Resource resource, ResourceReport report) => Walk(resource, "", report, depth: 0);

    private static void Walk(object value, string path, ResourceReport report, int depth)
    {
        if (depth > 32) return;
        foreach (var p in Properties.GetOrAdd(value.GetType(), Describe))
        {
            var child = p.Property.GetValue(value);
            var childPath = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
            if (child is null)
            {
                if (!p.Nullable) report.Error(new FieldPath(childPath), "required (got null)");
                continue;
            }
            if (child is string || child.GetType().IsValueType) continue;
            if (child is IDictionary dict)
            {
                foreach (DictionaryEntry e in dict)
                    if (e.Value is null) report.Error(new FieldPath($"{childPath}.{e.Key}"), "required (got null)");
                continue;
            }
            if (child is IList list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is null) report.Error(new FieldPath($"{childPath}[{i}]"), "required (got null)");
                    else if (list[i] is not string && !list[i]!.GetType().IsValueType) Walk(list[i]!, $"{childPath}[{i}]", report, depth + 1);
                }
                continue;
            }
            Walk(child, childPath, report, depth + 1);
        }
    }

    private sealed record Prop(PropertyInfo Property, string Name, bool Nullable);

    private static readonly ConcurrentDictionary<Type, Prop[]> Properties = new();

    private static Prop[] Describe(Type type)
    {
        var ctx = new NullabilityInfoContext();
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.GetMethod is { IsPublic: true })
            .Select(p => new Prop(p, JsonNamingPolicy.CamelCase.ConvertName(p.Name), ctx.Create(p).ReadState != NullabilityState.NotNull))];
    }
}
