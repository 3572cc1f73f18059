using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>An HTTP status and a JSON body: an object, a list, or a <c>Status</c> for failures.</summary>
public sealed record ApiResult(int Code, JsonNode Body)
{
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

    public static ApiResult Invalid(ResourceType? type, string name, string message) =>
        Failure(422, "Invalid", message, type, name);

    public static ApiResult BadRequest(string message) => Failure(400, "BadRequest", message);

    private static string GroupSuffix(ResourceType type) => type.Group.Length == 0 ? "" : "." + type.Group;
}
