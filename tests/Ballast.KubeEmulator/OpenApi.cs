using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>
/// The <c>/openapi/v3</c> documents kubectl reads: which group-versions exist, and per group-version the paths
/// (a PATCH that takes <c>fieldValidation</c>, so kubectl leaves validation to the server) and the schemas of
/// custom resources with their descriptions (what <c>kubectl explain</c> prints).
/// </summary>
internal static class OpenApi
{
    public static JsonObject Root(IEnumerable<ResourceType> types) => new()
    {
        ["paths"] = new JsonObject([.. types.Select(t => GroupVersionPath(t)).Distinct().Select(p =>
            KeyValuePair.Create(p, (JsonNode?)new JsonObject { ["serverRelativeURL"] = "/openapi/v3/" + p }))]),
    };

    public static ApiResult GroupVersion(IEnumerable<ResourceType> types, string groupVersionPath)
    {
        var members = types.Where(t => GroupVersionPath(t) == groupVersionPath).ToList();
        if (members.Count == 0) return ApiResult.Failure(404, "NotFound", "the server could not find the requested resource");
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var t in members)
        {
            var gvk = new JsonObject { ["group"] = t.Group, ["version"] = t.Version, ["kind"] = t.Kind };
            var prefix = (t.Group.Length == 0 ? "/api/" + t.Version : $"/apis/{t.Group}/{t.Version}") + (t.Namespaced ? "/namespaces/{namespace}" : "");
            paths[$"{prefix}/{t.Plural}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                    ["parameters"] = new JsonArray(
                        Query("fieldValidation"), Query("fieldManager"), Query("force"), Query("dryRun")),
                },
            };
            if (t.Crd is { } crd)
            {
                var schema = (JsonObject)crd.OpenApiSchema.DeepClone();
                schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk);
                schemas[SchemaName(t)] = schema;
            }
        }
        return ApiResult.Ok(new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.35.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        });
    }

    private static JsonObject Query(string name) =>
        new() { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } };

    /// <summary>Kubernetes names a CRD's schema by its reversed group: <c>dev.ballast.v1alpha1.BackendPool</c>.</summary>
    private static string SchemaName(ResourceType t) => string.Join('.', t.Group.Split('.').Reverse()) + $".{t.Version}.{t.Kind}";

    private static string GroupVersionPath(ResourceType t) => t.Group.Length == 0 ? "api/" + t.Version : $"apis/{t.Group}/{t.Version}";
}
