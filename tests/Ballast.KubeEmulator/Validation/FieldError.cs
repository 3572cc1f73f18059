using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// One invalid field, as apimachinery's <c>field.Error</c> renders it: the path (<c>spec.routes[0].match</c>), a
/// reason (<c>FieldValueInvalid</c>, ...), and a body (<c>Invalid value: "object": at most one of ...</c>) that
/// becomes a <c>details.causes[]</c> entry of the 422 and the line kubectl prints.
/// </summary>
public sealed record FieldError(string Reason, string Field, string Body)
{
    public override string ToString() => $"{Field}: {Body}";

    public static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, detail.Length == 0 ? "Required value" : "Required value: " + detail);

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, "Forbidden: " + detail);

    public static FieldError Invalid(string field, JsonNode? value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {Render(value)}: {detail}");

    /// <summary>A CEL rule's failure: the value is shown as its schema type (<c>"object"</c>), as the API server does.</summary>
    public static FieldError Rule(string reason, string field, string schemaType, string message) => reason switch
    {
        "FieldValueRequired" => Required(field, message),
        "FieldValueForbidden" => Forbidden(field, message),
        "FieldValueDuplicate" => new(reason, field, $"Duplicate value: \"{schemaType}\": {message}"),
        _ => new("FieldValueInvalid", field, $"Invalid value: \"{schemaType}\": {message}"),
    };

    public static FieldError TypeInvalid(string field, JsonNode? value, string expected) =>
        new("FieldValueTypeInvalid", field, $"Invalid value: {Render(TypeName(value))}: {field} in body must be of type {expected}: {Render(TypeName(value))}");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field,
            $"Unsupported value: {Render(value)}: supported values: {string.Join(", ", supported.Select(s => Quote(s)))}");

    public static FieldError Duplicate(string field, JsonNode? value) => new("FieldValueDuplicate", field, $"Duplicate value: {GoMap(value)}");

    public static FieldError TooMany(string field, int actual, long max) =>
        new("FieldValueTooMany", field, $"Too many: {actual}: must have at most {max} items");

    /// <summary>The JSON type name the API server reports for a wrong-typed value.</summary>
    public static JsonNode TypeName(JsonNode? value) => (value?.GetValueKind() ?? JsonValueKind.Null) switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value!.ToJsonString().Contains('.') ? "number" : "integer",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    /// <summary>Go's <c>%#v</c>/<c>%v</c> of the value, as field errors print it: strings quoted, numbers bare.</summary>
    private static string Render(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => Quote(value.GetValue<string>()),
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object or JsonValueKind.Array => GoMap(value),
        _ => value.ToJsonString(),
    };

    private static string GoMap(JsonNode? value) => value is JsonObject o
        ? "map[string]interface {}{" + string.Join(", ", o.Select(kv => $"{Quote(kv.Key)}:{Render(kv.Value)}")) + "}"
        : value?.ToJsonString() ?? "null";

    private static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
            b.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", _ when c < ' ' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture), _ => c.ToString() });
        return b.Append('"').ToString();
    }
}

/// <summary>Builds field paths the way apimachinery's <c>field.Path</c> prints them.</summary>
public static class FieldPath
{
    public static string Child(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;
    public static string Index(string parent, int i) => $"{parent}[{i.ToString(CultureInfo.InvariantCulture)}]";
    public static string Key(string parent, string key) => $"{parent}[{key}]";
}
