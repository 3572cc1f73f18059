using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;

namespace Ballast.Model.Yaml;

/// <summary>
/// Checks a JSON tree against the shape of a resource type before System.Text.Json sees it, so every
/// mistake gets a message a person can act on (<c>expected an integer, got "abc"</c>, the allowed enum
/// values, the closest known field name) and all of them are found, not only the first.
/// </summary>
internal static class ShapeChecker
{
    public static void Check(JsonNode? node, Type type, string path, bool nullable, List<(string Path, string Message, bool AtKey)> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) { type = underlying; nullable = true; }

        if (node is null)
        {
            if (!nullable && type.IsValueType) errors.Add((path, $"expected {Describe(type)}, got null", false));
            else if (!nullable) errors.Add((path, $"expected {Describe(type)}, got null (leave the field out instead)", false));
            return;
        }

        if (type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type)) return; // free-form: anything goes
        if (type == typeof(string))
        {
            if (!IsKind(node, JsonValueKind.String)) errors.Add((path, $"expected a string, got {Got(node, quoteHint: true)}", false));
        }
        else if (type == typeof(bool))
        {
            if (!IsKind(node, JsonValueKind.True) && !IsKind(node, JsonValueKind.False))
                errors.Add((path, $"expected true or false, got {Got(node)}", false));
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            var ok = node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                     && (type == typeof(int) ? v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue : v.TryGetValue<long>(out _));
            if (!ok) errors.Add((path, $"expected an integer, got {Got(node)}", false));
        }
        else if (type == typeof(double))
        {
            if (!IsKind(node, JsonValueKind.Number)) errors.Add((path, $"expected a number, got {Got(node)}", false));
        }
        else if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            if (!IsKind(node, JsonValueKind.String) || !names.Contains(node.GetValue<string>(), StringComparer.Ordinal))
                errors.Add((path, $"expected one of {string.Join(", ", names)}, got {Got(node)}", false));
        }
        else if (type == typeof(Duration) || type == typeof(DateTimeOffset))
        {
            // The type's own converter knows the format and words the message.
            try { node.Deserialize(type, ModelJson.Options); }
            catch (JsonException e) { errors.Add((path, StripPath(e.Message), false)); }
            catch (Exception e) when (e is FormatException or InvalidOperationException) { errors.Add((path, e.Message, false)); }
        }
        else if (ListItemType(type) is { } itemType)
        {
            if (node is not JsonArray arr) { errors.Add((path, $"expected a list, got {Got(node)}", false)); return; }
            var itemNullable = false;
            for (var i = 0; i < arr.Count; i++) Check(arr[i], itemType, FieldPaths.Item(path, i), itemNullable, errors);
        }
        else if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not JsonObject obj) { errors.Add((path, $"expected a map, got {Got(node)}", false)); return; }
            foreach (var (k, v) in obj) Check(v, valueType, FieldPaths.Child(path, k), false, errors);
        }
        else
        {
            CheckObject(node, type, path, errors);
        }
    }

    private static void CheckObject(JsonNode node, Type type, string path, List<(string, string, bool)> errors)
    {
        if (node is not JsonObject obj) { errors.Add((path, $"expected an object, got {Got(node)}", false)); return; }
        var shape = Shapes.GetOrAdd(type, BuildShape);
        foreach (var (key, value) in obj)
        {
            var childPath = FieldPaths.Child(path, key);
            if (!shape.Properties.TryGetValue(key, out var prop))
            {
                if (shape.SkipUnknown) continue;
                var near = Closest(key, shape.Properties.Keys);
                errors.Add((childPath, near is null ? "unknown field" : $"unknown field (did you mean \"{near}\"?)", true));
                continue;
            }
            Check(value, prop.Type, childPath, prop.Nullable, errors);
        }
    }

    private sealed record PropertyShape(Type Type, bool Nullable);
    private sealed record ObjectShape(Dictionary<string, PropertyShape> Properties, bool SkipUnknown);

    private static readonly ConcurrentDictionary<Type, ObjectShape> Shapes = new();

    private static ObjectShape BuildShape(Type type)
    {
        var ctx = new NullabilityInfoContext();
        var props = new Dictionary<string, PropertyShape>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonIgnoreAttribute>() is not null || p.SetMethod is not { IsPublic: true }) continue;
            var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            var nullable = ctx.Create(p).WriteState == NullabilityState.Nullable;
            props[name] = new PropertyShape(p.PropertyType, nullable);
        }
        var skip = type.GetCustomAttribute<JsonUnmappedMemberHandlingAttribute>()?.UnmappedMemberHandling == JsonUnmappedMemberHandling.Skip;
        return new ObjectShape(props, skip);
    }

    private static Type? ListItemType(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;

    private static Type? DictionaryValueType(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? t.GetGenericArguments()[1] : null;

    private static bool IsKind(JsonNode node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer"
        : t == typeof(bool) ? "true or false"
        : t == typeof(double) ? "a number"
        : t == typeof(string) ? "a string"
        : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t))
        : "a value";

    /// <summary>How a value reads to a person: <c>"abc"</c>, <c>the number 42</c>, <c>a list</c>.</summary>
    internal static string Got(JsonNode? node, bool quoteHint = false) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
            JsonValueKind.Number => $"the number {v.ToJsonString()}" + (quoteHint ? " (quote it)" : ""),
            JsonValueKind.True or JsonValueKind.False => $"the boolean {v.ToJsonString()}" + (quoteHint ? " (quote it)" : ""),
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    private static string StripPath(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }

    /// <summary>The known name within edit distance 2 (or differing only in case), if one stands out.</summary>
    internal static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = string.Equals(k, key, StringComparison.OrdinalIgnoreCase) ? 0 : Levenshtein(key, k);
            if (d < bestDistance) { best = k; bestDistance = d; }
        }
        return bestDistance <= Math.Max(1, Math.Min(2, key.Length / 3)) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
