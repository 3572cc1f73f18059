using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator.Manifests;

/// <summary>
/// What `kubectl apply -f` does for the tests: each object created, or replaced when it exists, with kubectl's
/// default strict field validation (a misspelt field is an error, not silently pruned).
/// </summary>
public static class KubectlApply
{
    public static async Task ApplyAsync(KubeApiEmulator api, IEnumerable<JsonObject> objects)
    {
        using var http = new HttpClient { BaseAddress = api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
        foreach (var obj in objects)
        {
            var apiVersion = obj["apiVersion"]!.GetValue<string>();
            var kind = obj["kind"]!.GetValue<string>();
            var type = api.Types.Single(t => t.ApiVersion == apiVersion && t.Kind == kind);
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
                response = await http.PutAsync($"{prefix}/{name}?fieldValidation=Strict", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            }
            else response = await http.PostAsync(prefix + "?fieldValidation=Strict", new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/json"));
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"apply {kind} {ns}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static Task ApplyFilesAsync(KubeApiEmulator api, params string[] files) =>
        ApplyAsync(api, files.SelectMany(f => KubeYaml.Documents(File.ReadAllText(f))));
}
