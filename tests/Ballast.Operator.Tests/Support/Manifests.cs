using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ballast.KubeEmulator;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ballast.Operator.Tests.Support;

/// <summary>What `kubectl apply -f` does for the tests: YAML documents → create, or replace when they exist.</summary>
public static class Manifests
{
    public static List<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Where(d => d.RootNode is YamlMappingNode { Children.Count: > 0 }).Select(d => (JsonObject)ToJson(d.RootNode)!).ToList();
    }

    public static async Task ApplyAsync(KubeApiEmulator api, IEnumerable<JsonObject> objects)
    {
        using var http = new HttpClient { BaseAddress = api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
        foreach (var obj in objects)
        {
            var apiVersion = obj["apiVersion"]!.GetValue<string>();
            var kind = obj["kind"]!.GetValue<string>();
            var type = ResourceType.Defaults.Single(t => t.ApiVersion == apiVersion && t.Kind == kind);
            var ns = obj["metadata"]!["namespace"]?.GetValue<string>() ?? "default";
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            var prefix = (type.Group.Length == 0 ? "/api/v1" : $"/apis/{type.GroupVersion}") + (type.Namespaced ? $"/namespaces/{ns}" : "") + $"/{type.Plural}";
            var existing = await http.GetAsync($"{prefix}/{name}");
            HttpResponseMessage response;
            if (existing.IsSuccessStatusCode)
            {
                var current = JsonNode.Parse(await existing.Content.ReadAsStringAsync())!;
                var body = (JsonObject)obj.DeepClone();
                body["metadata"]!["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
                response = await http.PutAsync($"{prefix}/{name}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            }
            else response = await http.PostAsync(prefix, new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/json"));
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"apply {kind} {ns}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static Task ApplyFilesAsync(KubeApiEmulator api, params string[] files) =>
        ApplyAsync(api, files.SelectMany(f => Parse(File.ReadAllText(f))));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } p => Scalar(p.Value),
        YamlScalarNode q => JsonValue.Create(q.Value),
        _ => null,
    };

    private static JsonNode? Scalar(string? v) => v switch
    {
        null or "null" or "~" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ => JsonValue.Create(v),
    };
}
