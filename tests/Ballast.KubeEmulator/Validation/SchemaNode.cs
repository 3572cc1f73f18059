using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// One node of a CRD's structural schema (the OpenAPI v3 subset <c>apiextensions.k8s.io/v1</c> allows), parsed once:
/// the keywords the API server checks, the default it applies, and the CEL rules compiled for it.
/// </summary>
public sealed class SchemaNode
{
    public string? Type { get; private init; }
    public string? Format { get; private init; }
    public string? Description { get; private init; }
    public IReadOnlyDictionary<string, SchemaNode> Properties { get; private init; } = new Dictionary<string, SchemaNode>();
    public SchemaNode? Items { get; private init; }
    public SchemaNode? AdditionalProperties { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public IReadOnlyList<JsonNode?>? Enum { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public string? PatternText { get; private init; }
    public Regex? Pattern { get; private init; }
    public JsonNode? Default { get; private init; }
    public bool Nullable { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool IntOrString { get; private init; }
    /// <summary><c>x-kubernetes-list-type</c>: atomic (the CRD default), set or map.</summary>
    public string ListType { get; private init; } = "atomic";
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];
    /// <summary><c>x-kubernetes-map-type</c>: granular (default) or atomic, for server-side apply.</summary>
    public string MapType { get; private init; } = "granular";
    public IReadOnlyList<CelRule> Rules { get; private init; } = [];

    /// <summary>The schema type name CEL errors report for a value at this node (<c>"object"</c>, <c>"string"</c>, ...).</summary>
    public string TypeForErrors => Type ?? "object";

    public static SchemaNode Parse(JsonObject json, string path, CelRuleCompiler compiler)
    {
        var properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        if (json["properties"] is JsonObject props)
            foreach (var (name, child) in props)
                properties[name] = Parse((JsonObject)child!, FieldPath.Child(path, name), compiler);
        var pattern = json["pattern"]?.GetValue<string>();
        return new SchemaNode
        {
            Type = json["type"]?.GetValue<string>(),
            Format = json["format"]?.GetValue<string>(),
            Description = json["description"]?.GetValue<string>(),
            Properties = properties,
            Items = json["items"] is JsonObject items ? Parse(items, path + "[*]", compiler) : null,
            AdditionalProperties = json["additionalProperties"] is JsonObject ap ? Parse(ap, path + "[*]", compiler) : null,
            Required = json["required"] is JsonArray req ? [.. req.Select(r => r!.GetValue<string>())] : [],
            Enum = json["enum"] is JsonArray e ? [.. e.Select(v => v?.DeepClone())] : null,
            Minimum = Number(json["minimum"]),
            Maximum = Number(json["maximum"]),
            ExclusiveMinimum = json["exclusiveMinimum"]?.GetValue<bool>() ?? false,
            ExclusiveMaximum = json["exclusiveMaximum"]?.GetValue<bool>() ?? false,
            MinLength = Integer(json["minLength"]),
            MaxLength = Integer(json["maxLength"]),
            MinItems = Integer(json["minItems"]),
            MaxItems = Integer(json["maxItems"]),
            MinProperties = Integer(json["minProperties"]),
            MaxProperties = Integer(json["maxProperties"]),
            PatternText = pattern,
            // Kubernetes patterns are Go RE2; the ones CRDs use are within what .NET reads the same way.
            Pattern = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking),
            Default = json["default"]?.DeepClone(),
            Nullable = json["nullable"]?.GetValue<bool>() ?? false,
            PreserveUnknownFields = json["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() ?? false,
            IntOrString = json["x-kubernetes-int-or-string"]?.GetValue<bool>() ?? false,
            ListType = json["x-kubernetes-list-type"]?.GetValue<string>() ?? "atomic",
            ListMapKeys = json["x-kubernetes-list-map-keys"] is JsonArray keys ? [.. keys.Select(k => k!.GetValue<string>())] : [],
            MapType = json["x-kubernetes-map-type"]?.GetValue<string>() ?? "granular",
            Rules = json["x-kubernetes-validations"] is JsonArray rules
                ? [.. rules.Select(r => compiler.Compile((JsonObject)r!, path))]
                : [],
        };
    }

    private static double? Number(JsonNode? n) =>
        n is null ? null : double.Parse(n.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static long? Integer(JsonNode? n) =>
        n is null ? null : long.Parse(n.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>Every node below this one (and this one) with its path, for checks over the whole schema.</summary>
    public IEnumerable<(string Path, SchemaNode Node)> Walk(string path)
    {
        yield return (path, this);
        foreach (var (name, child) in Properties)
            foreach (var x in child.Walk(FieldPath.Child(path, name))) yield return x;
        if (Items is not null)
            foreach (var x in Items.Walk(path + "[*]")) yield return x;
        if (AdditionalProperties is not null)
            foreach (var x in AdditionalProperties.Walk(path + "[*]")) yield return x;
    }
}
