using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// A CRD as the emulator serves it, read from its manifest: names, scope, the status subresource, printer columns
/// and the structural schema with its compiled CEL rules. <see cref="Admit"/> is the API server's decode and
/// validate step for one object of this kind.
/// </summary>
public sealed class CustomResourceDefinition
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Plural { get; init; }
    public required string Kind { get; init; }
    public required bool Namespaced { get; init; }
    public required bool HasStatusSubresource { get; init; }
    public required IReadOnlyList<string> ShortNames { get; init; }
    public required IReadOnlyList<string> Categories { get; init; }
    public required IReadOnlyList<JsonObject> PrinterColumns { get; init; }
    public required SchemaNode Schema { get; init; }

    /// <summary>The <c>openAPIV3Schema</c> as written, served in <c>/openapi/v3</c> (kubectl explain reads it).</summary>
    public required JsonObject OpenApiSchema { get; init; }

    /// <summary>
    /// Prunes unknown fields and applies defaults to <paramref name="obj"/> in place, then validates it against the
    /// schema and CEL rules (transition rules against <paramref name="old"/>, when this is an update).
    /// </summary>
    public Admission Admit(JsonObject obj, JsonObject? old)
    {
        var unknown = Decoding.PruneAndDefault(obj, Schema);
        var errors = new List<FieldError>();
        foreach (var (name, child) in Schema.Properties)
        {
            if (name is "metadata" or "apiVersion" or "kind") continue;
            if (obj[name] is { } value) SchemaValidation.Validate(value, child, name, old?[name], errors);
            else if (Schema.Required.Contains(name)) errors.Add(FieldError.Required(name));
        }
        return new Admission(errors, unknown);
    }

    public static CustomResourceDefinition FromManifest(JsonObject crd, CelRuleCompiler compiler)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var version = spec["versions"]!.AsArray().Select(v => v!.AsObject()).First(v => v["storage"]?.GetValue<bool>() ?? false);
        var kind = names["kind"]!.GetValue<string>();
        return new CustomResourceDefinition
        {
            Group = spec["group"]!.GetValue<string>(),
            Version = version["name"]!.GetValue<string>(),
            Plural = names["plural"]!.GetValue<string>(),
            Kind = kind,
            Namespaced = spec["scope"]?.GetValue<string>() != "Cluster",
            HasStatusSubresource = version["subresources"]?["status"] is not null,
            ShortNames = Strings(names["shortNames"]),
            Categories = Strings(names["categories"]),
            PrinterColumns = version["additionalPrinterColumns"] is JsonArray cols ? [.. cols.Select(c => c!.AsObject())] : [],
            Schema = SchemaNode.Parse(version["schema"]!["openAPIV3Schema"]!.AsObject(), "", compiler),
            OpenApiSchema = (JsonObject)version["schema"]!["openAPIV3Schema"]!.DeepClone(),
        };
    }

    private static IReadOnlyList<string> Strings(JsonNode? list) => list is JsonArray a ? [.. a.Select(x => x!.GetValue<string>())] : [];
}

/// <summary>The outcome of decoding and validating one object: field errors (a 422) and the pruned unknown fields.</summary>
public sealed record Admission(IReadOnlyList<FieldError> Errors, IReadOnlyList<string> UnknownFields);
