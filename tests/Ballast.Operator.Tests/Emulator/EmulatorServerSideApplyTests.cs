using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>
/// Server-side apply through the real KubernetesClient (application/apply-patch+yaml): map lists merged by key,
/// fields a manager stops applying removed unless someone else owns them, conflicts with updaters too, status
/// only through /status, and fieldManager required. (kubectl's view: KubectlAgainstEmulatorTests.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmulatorServerSideApplyTests : IAsyncLifetime
{
    private const string G = "ballast.dev", V = "v1alpha1", P = "loadbalancerpolicies";
    private EmulatedCluster _cluster = null!;
    private Kubernetes K => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await EmulatedCluster.StartAsync();
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static string Policy(string spec, string? status = null) =>
        $$"""{"apiVersion":"ballast.dev/v1alpha1","kind":"LoadBalancerPolicy","metadata":{"name":"shop"},"spec":{{spec}}{{(status is null ? "" : $",\"status\":{status}")}}}""";

    private async Task<JsonObject> ApplyAsync(string body, string manager, bool force = false, bool status = false)
    {
        var patch = new V1Patch(body, V1Patch.PatchType.ApplyPatch);
        var result = status
            ? await K.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, G, V, "default", P, "shop", fieldManager: manager, force: force)
            : await K.CustomObjects.PatchNamespacedCustomObjectAsync(patch, G, V, "default", P, "shop", fieldManager: manager, force: force);
        return JsonNode.Parse(((JsonElement)result).GetRawText())!.AsObject();
    }

    private static JsonObject Owned(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().Single(m => m!["manager"]!.GetValue<string>() == manager)!["fieldsV1"]!.AsObject();

    private static string[] Listeners(JsonObject obj) => [.. obj["spec"]!["listeners"]!.AsArray().Select(l => l!["name"]!.GetValue<string>())];

    [Fact]
    public async Task Two_managers_own_their_own_items_of_a_map_list_and_a_manager_that_stops_applying_one_removes_only_its_own()
    {
        await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":80}]}"""), "team-a");
        var both = await ApplyAsync(Policy("""{"listeners":[{"name":"admin","port":9000}]}"""), "team-b");
        Assert.Equal(["http", "admin"], Listeners(both));
        Assert.True(Owned(both, "team-a")["f:spec"]!["f:listeners"]!.AsObject().ContainsKey("k:{\"name\":\"http\"}"));
        Assert.False(Owned(both, "team-a")["f:spec"]!["f:listeners"]!.AsObject().ContainsKey("k:{\"name\":\"admin\"}"));

        var after = await ApplyAsync(Policy("""{"routes":[{"match":{"pathPrefix":"/"},"backends":[{"pool":"web"}]}]}"""), "team-a");
        Assert.Equal(["admin"], Listeners(after));                       // team-a's listener gone, team-b's kept
        Assert.NotNull(after["spec"]!["routes"]);
    }

    [Fact]
    public async Task Applying_a_field_an_update_changed_conflicts_with_the_updater_unless_forced()
    {
        await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":80}]}"""), "gitops");
        await K.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"listeners":[{"name":"http","port":8080}]}}""", V1Patch.PatchType.MergePatch),
            G, V, "default", P, "shop", fieldManager: "hand-edit");

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(Policy("""{"listeners":[{"name":"http","port":80}]}"""), "gitops"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("Apply failed with 1 conflict: conflict with \"hand-edit\" using ballast.dev/v1alpha1: .spec.listeners[name=\"http\"].port",
            status["message"]!.GetValue<string>());
        Assert.Equal(".spec.listeners[name=\"http\"].port", status["details"]!["causes"]![0]!["field"]!.GetValue<string>());

        // The same value is no conflict (the field becomes shared); force takes a different one over.
        await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":8080}]}"""), "gitops");
        var forced = await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":81}]}"""), "gitops", force: true);
        Assert.Equal(81, forced["spec"]!["listeners"]![0]!["port"]!.GetValue<int>());
    }

    [Fact]
    public async Task Status_is_applied_only_through_the_subresource_and_a_main_apply_ignores_it()
    {
        var created = await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":80}]}""",
            """{"conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":""}]}"""), "user");
        Assert.Null(created["status"]);

        var withStatus = await ApplyAsync(Policy("""{"listeners":[{"name":"http","port":1}]}""",
            """{"conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":""}]}"""), "operator", status: true);
        Assert.Equal("Accepted", withStatus["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(80, withStatus["spec"]!["listeners"]![0]!["port"]!.GetValue<int>());   // spec untouched by /status
        Assert.Equal(1, withStatus["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("status", withStatus["metadata"]!["managedFields"]!.AsArray()
            .Single(m => m!["manager"]!.GetValue<string>() == "operator")!["subresource"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_apply_without_a_field_manager_is_a_bad_request_and_an_invalid_one_is_422()
    {
        using var http = new HttpClient { BaseAddress = _cluster.Api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _cluster.Api.Token);
        var response = await http.PatchAsync("/apis/ballast.dev/v1alpha1/namespaces/default/loadbalancerpolicies/shop",
            new StringContent(Policy("""{"listeners":[{"name":"http","port":80}]}"""), System.Text.Encoding.UTF8, "application/apply-patch+yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("fieldManager", await response.Content.ReadAsStringAsync());

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(Policy("""{"listeners":[{"name":"http","port":0}]}"""), "user"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains("spec.listeners[0].port", e.Response.Content);
    }
}
