using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Apply;
using Ballast.KubeEmulator.Validation;

namespace Ballast.KubeEmulator;

/// <summary>An HTTP status and a JSON body: an object, a list, or a <c>Status</c> for failures.</summary>
public sealed record ApiResult(int Code, JsonNode Body)
{
    /// <summary>Sent as <c>Warning: 299 - "..."</c> headers (kubectl prints them), e.g. for pruned unknown fields.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static ApiResult Ok(JsonNode body) => new(200, body);
    public static ApiResult Created(JsonNode body) => new(201, body);

    /// <summary>A <c>metav1.Status</c> failure, as the API server writes it.</summary>
    public static ApiResult Failure(int code, string reason, string message, ResourceType? type = null, string? name = null) =>
        new(code, StatusObject(code, reason, message, type, name));

    public static JsonObject StatusObject(int code, string reason, string message, ResourceType? type = null, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (type is not null)
            status["details"] = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural };
        return status;
    }

    public static ApiResult NotFound(ResourceType type, string name) =>
        Failure(404, "NotFound", $"{type.Plural}{GroupSuffix(type)} \"{name}\" not found", type, name);

    public static ApiResult Conflict(ResourceType type, string name) =>
        Failure(409, "Conflict",
            $"Operation cannot be fulfilled on {type.Plural}{GroupSuffix(type)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            type, name);

    public static ApiResult AlreadyExists(ResourceType type, string name) =>
        Failure(409, "AlreadyExists", $"{type.Plural}{GroupSuffix(type)} \"{name}\" already exists", type, name);

    /// <summary>
    /// 422 <c>Invalid</c> as the API server builds it: <c>Kind.group "name" is invalid: field: body</c> (several errors
    /// in brackets), with one <c>details.causes[]</c> entry per field (kubectl prints those).
    /// </summary>
    public static ApiResult Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var qualified = type.Kind + GroupSuffix(type);
        var aggregate = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
        var status = StatusObject(422, "Invalid", $"{qualified} \"{name}\" is invalid: {aggregate}");
        status["details"] = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Kind,
            ["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Body, ["field"] = e.Field })]),
        };
        return new ApiResult(422, status);
    }

    /// <summary>409 of a server-side apply that would change fields other managers own; each field is a cause.</summary>
    public static ApiResult ApplyConflict(ResourceType type, string name, IReadOnlyList<ServerSideApply.Conflict> conflicts)
    {
        string detail;
        if (conflicts.Count == 1) detail = $"conflict with {conflicts[0].Owner.Describe()}: {FieldSet.Display(conflicts[0].Path)}";
        else
            detail = string.Join("\n", conflicts.GroupBy(c => c.Owner.Describe()).SelectMany(g =>
                new[] { $"conflicts with {g.Key}:" }.Concat(g.Select(c => "- " + FieldSet.Display(c.Path)))));
        var status = StatusObject(409, "Conflict",
            $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {detail}");
        status["details"] = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Plural,
            ["causes"] = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {c.Owner.Describe()}",
                ["field"] = FieldSet.Display(c.Path),
            })]),
        };
        return new ApiResult(409, status);
    }

    public static ApiResult BadRequest(string message) => Failure(400, "BadRequest", message);

    private static string GroupSuffix(ResourceType type) => type.Group.Length == 0 ? "" : "." + type.Group;
}
