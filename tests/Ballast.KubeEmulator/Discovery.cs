using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>The discovery documents (<c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/G/V</c>) built from the served types.</summary>
internal static class Discovery
{
    public static JsonObject CoreVersions(int port) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = $"127.0.0.1:{port}" }),
    };

    public static JsonObject Groups(IEnumerable<ResourceType> types) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).Select(g => GroupObject(g.Key, g))]),
    };

    public static ApiResult Group(IEnumerable<ResourceType> types, string group)
    {
        var members = types.Where(t => t.Group == group).ToList();
        return members.Count == 0
            ? ApiResult.Failure(404, "NotFound", "the server could not find the requested resource")
            : ApiResult.Ok(GroupObject(group, members));
    }

    public static ApiResult Resources(IEnumerable<ResourceType> types, string group, string version)
    {
        var members = types.Where(t => t.Group == group && t.Version == version).ToList();
        if (members.Count == 0) return ApiResult.Failure(404, "NotFound", "the server could not find the requested resource");
        var resources = new JsonArray();
        foreach (var t in members)
        {
            resources.Add(new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Kind.ToLowerInvariant(),
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray([.. (t.ShortNames ?? []).Select(s => (JsonNode)s)]),
            });
            if (t.HasStatusSubresource)
                resources.Add(new JsonObject
                {
                    ["name"] = t.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
        }
        return ApiResult.Ok(new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = members[0].GroupVersion,
            ["resources"] = resources,
        });
    }

    private static JsonObject GroupObject(string group, IEnumerable<ResourceType> members)
    {
        var versions = members.Select(t => t.Version).Distinct().ToList();
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v })]),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }
}
