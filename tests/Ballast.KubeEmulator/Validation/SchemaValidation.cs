using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// The checks the API server makes on a decoded custom resource: the structural schema's keywords (type,
/// required, enum, format, bounds, lengths, item counts, pattern, unique map-list keys), then each node's CEL
/// rules with <c>self</c> bound to the value there (and <c>oldSelf</c>, on updates, to the value it replaces).
/// Errors carry the field path and are worded as the API server words them.
/// </summary>
internal static partial class SchemaValidation
{
    public static void Validate(JsonNode? value, SchemaNode schema, string path, JsonNode? old, List<FieldError> errors)
    {
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (!schema.Nullable) errors.Add(FieldError.Invalid(path, null, $"{path} in body must be of type {schema.Type}: \"null\""));
            return;
        }
        if (!HasType(value, schema))
        {
            errors.Add(FieldError.TypeInvalid(path, value, schema.Type!));
            return;
        }
        if (schema.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add(FieldError.NotSupported(path, value, allowed.Select(a => a?.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : a?.ToJsonString() ?? "null")));

        switch (value)
        {
            case JsonObject o: ValidateObject(o, schema, path, old as JsonObject, errors); break;
            case JsonArray a: ValidateArray(a, schema, path, old as JsonArray, errors); break;
            default:
                if (value.GetValueKind() == JsonValueKind.String) ValidateString(value, schema, path, errors);
                else if (value.GetValueKind() == JsonValueKind.Number) ValidateNumber(value, schema, path, errors);
                break;
        }
        foreach (var rule in schema.Rules)
        {
            if (rule.UsesOldSelf && old is null && !rule.OptionalOldSelf) continue; // transition rules run on updates only
            if (rule.Check(value, old) is { } message)
            {
                var field = rule.FieldPath is { } relative ? Below(path, relative) : path;
                errors.Add(FieldError.Rule(rule.Reason, field, schema.TypeForErrors, message));
            }
        }
    }

    private static bool HasType(JsonNode value, SchemaNode schema)
    {
        var kind = value.GetValueKind();
        if (schema.IntOrString) return kind == JsonValueKind.String || (kind == JsonValueKind.Number && Numbers.IsInteger(value, out _));
        return schema.Type switch
        {
            null => true,
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            "string" => kind == JsonValueKind.String,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "number" => kind == JsonValueKind.Number,
            "integer" => kind == JsonValueKind.Number && Numbers.IsInteger(value, out _),
            _ => true,
        };
    }

    private static void ValidateObject(JsonObject o, SchemaNode schema, string path, JsonObject? old, List<FieldError> errors)
    {
        foreach (var name in schema.Required)
            if (!o.ContainsKey(name)) errors.Add(FieldError.Required(FieldPath.Child(path, name)));
        if (schema.MinProperties is { } minP && o.Count < minP)
            errors.Add(FieldError.Invalid(path, null, $"{path} in body should have at least {minP} properties"));
        if (schema.MaxProperties is { } maxP && o.Count > maxP)
            errors.Add(FieldError.Invalid(path, null, $"{path} in body should have at most {maxP} properties"));
        foreach (var (name, child) in o)
        {
            var childSchema = schema.Properties.GetValueOrDefault(name) ?? schema.AdditionalProperties;
            if (childSchema is null) continue; // preserved unknown field
            var childPath = schema.Properties.ContainsKey(name) ? FieldPath.Child(path, name) : FieldPath.Key(path, name);
            Validate(child, childSchema, childPath, old?[name], errors);
        }
    }

    private static void ValidateArray(JsonArray a, SchemaNode schema, string path, JsonArray? old, List<FieldError> errors)
    {
        if (schema.MaxItems is { } max && a.Count > max) errors.Add(FieldError.TooMany(path, a.Count, max));
        if (schema.MinItems is { } min && a.Count < min)
            errors.Add(FieldError.Invalid(path, null, $"{path} in body should have at least {min} items"));
        if (schema.ListType == "map") CheckUniqueKeys(a, schema.ListMapKeys, path, errors);
        if (schema.ListType == "set")
            for (var i = 0; i < a.Count; i++)
                if (a.Take(i).Any(earlier => JsonNode.DeepEquals(earlier, a[i]))) errors.Add(FieldError.Duplicate(FieldPath.Index(path, i), a[i]));
        if (schema.Items is null) return;
        for (var i = 0; i < a.Count; i++)
            Validate(a[i], schema.Items, FieldPath.Index(path, i), Correlate(a[i], schema, old), errors);
    }

    /// <summary>The old item an item replaces: only map lists correlate (by key); atomic lists have no per-item old value.</summary>
    private static JsonNode? Correlate(JsonNode? item, SchemaNode schema, JsonArray? old)
    {
        if (old is null || schema.ListType != "map" || item is not JsonObject o) return null;
        return old.FirstOrDefault(x => x is JsonObject candidate && schema.ListMapKeys.All(k => JsonNode.DeepEquals(candidate[k], o[k])));
    }

    private static void CheckUniqueKeys(JsonArray a, IReadOnlyList<string> keys, string path, List<FieldError> errors)
    {
        var seen = new List<JsonObject>();
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonObject item) continue;
            var key = new JsonObject(keys.Where(item.ContainsKey).Select(k => KeyValuePair.Create(k, item[k]?.DeepClone())));
            if (seen.Any(s => JsonNode.DeepEquals(s, key))) errors.Add(FieldError.Duplicate(FieldPath.Index(path, i), key));
            else seen.Add(key);
        }
    }

    private static void ValidateString(JsonNode value, SchemaNode schema, string path, List<FieldError> errors)
    {
        var s = value.GetValue<string>();
        var length = s.EnumerateRunes().Count();
        if (schema.MinLength is { } min && length < min)
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should be at least {min} chars long"));
        if (schema.MaxLength is { } max && length > max)
            errors.Add(new FieldError("FieldValueTooLong", path, $"Too long: may not be more than {max} bytes"));
        if (schema.Pattern is { } pattern && !pattern.IsMatch(s))
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should match '{schema.PatternText}'"));
        if (schema.Format is { } format && !FormatHolds(format, s))
            errors.Add(FieldError.Invalid(path, value, $"{path} in body must be of type {format}: \"{s}\""));
    }

    private static void ValidateNumber(JsonNode value, SchemaNode schema, string path, List<FieldError> errors)
    {
        var n = Numbers.AsDouble(value);
        if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? n <= min : n < min))
            errors.Add(FieldError.Invalid(path, value,
                $"{path} in body should be greater than {(schema.ExclusiveMinimum ? "" : "or equal to ")}{Show(min)}"));
        if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? n >= max : n > max))
            errors.Add(FieldError.Invalid(path, value,
                $"{path} in body should be less than {(schema.ExclusiveMaximum ? "" : "or equal to ")}{Show(max)}"));
    }

    private static string Show(double d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>The string formats the API server checks (others, like int32 on integers, only document).</summary>
    private static bool FormatHolds(string format, string s) => format switch
    {
        "date-time" => DateTime().IsMatch(s),
        "date" => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParseExact(s, "D", out _),
        "ipv4" => System.Net.IPAddress.TryParse(s, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
        "ipv6" => System.Net.IPAddress.TryParse(s, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    /// <summary>A rule's <c>fieldPath</c> (<c>.tls.mode</c>, <c>['x']</c>) below the node's path.</summary>
    private static string Below(string path, string relative)
    {
        var result = path;
        foreach (Match m in RelativeStep().Matches(relative))
            result = m.Groups["name"].Success ? FieldPath.Child(result, m.Groups["name"].Value) : FieldPath.Child(result, m.Groups["quoted"].Value);
        return result;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTime();

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][A-Za-z0-9_]*)|\['(?<quoted>[^']*)'\]")]
    private static partial Regex RelativeStep();
}
