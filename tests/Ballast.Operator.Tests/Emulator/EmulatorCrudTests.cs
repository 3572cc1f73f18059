using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>The emulator's REST semantics, driven through the real KubernetesClient (CustomObjects and typed APIs).</summary>
[Trait("Category", "Integration")]
public sealed class EmulatorCrudTests : IAsyncLifetime
{
    private const string G = "ballast.dev", V = "v1alpha1", P = "backendpools";
    private EmulatedCluster _cluster = null!;
    private Kubernetes K => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await EmulatedCluster.StartAsync();
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static JsonObject Pool(string name, int port = 80, Dictionary<string, string>? labels = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null) meta["labels"] = new JsonObject([.. labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        return new JsonObject
        {
            ["apiVersion"] = "ballast.dev/v1alpha1",
            ["kind"] = "BackendPool",
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "web", ["port"] = port } },
            ["status"] = new JsonObject { ["observedGeneration"] = 99 },
        };
    }

    private static JsonObject J(object o) => JsonNode.Parse(((JsonElement)o).GetRawText())!.AsObject();
    private static string Rv(JsonObject o) => o["metadata"]!["resourceVersion"]!.GetValue<string>();
    private static long Gen(JsonObject o) => o["metadata"]!["generation"]!.GetValue<long>();

    [Fact]
    public async Task Create_sets_uid_timestamp_generation_and_resource_version_and_drops_status()
    {
        var created = J(await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "default", P));
        Assert.False(string.IsNullOrEmpty(created["metadata"]!["uid"]!.GetValue<string>()));
        Assert.NotNull(created["metadata"]!["creationTimestamp"]);
        Assert.Equal(1, Gen(created));
        Assert.True(long.Parse(Rv(created)) > 0);
        Assert.Null(created["status"]);

        var again = await Assert.ThrowsAsync<HttpOperationException>(() => K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "default", P));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Contains("AlreadyExists", again.Response.Content);
    }

    [Fact]
    public async Task Create_in_a_missing_namespace_is_not_found()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "nowhere", P));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
    }

    [Fact]
    public async Task Spec_change_bumps_generation_and_a_stale_resource_version_conflicts()
    {
        var created = J(await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "default", P));
        var changed = (JsonObject)created.DeepClone();
        changed["spec"]!["service"]!["port"] = 81;
        var updated = J(await K.CustomObjects.ReplaceNamespacedCustomObjectAsync(changed, G, V, "default", P, "a"));
        Assert.Equal(2, Gen(updated));
        Assert.True(long.Parse(Rv(updated)) > long.Parse(Rv(created)));

        // Same body again carries the old resourceVersion: a lost update the server must refuse.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => K.CustomObjects.ReplaceNamespacedCustomObjectAsync(changed, G, V, "default", P, "a"));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);

        // A write that changes nothing is not a write: no new resourceVersion.
        var same = J(await K.CustomObjects.ReplaceNamespacedCustomObjectAsync(updated, G, V, "default", P, "a"));
        Assert.Equal(Rv(updated), Rv(same));
        Assert.Equal(2, Gen(same));
    }

    [Fact]
    public async Task Status_goes_through_the_subresource_only_and_does_not_bump_generation()
    {
        var created = J(await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "default", P));
        var withStatus = (JsonObject)created.DeepClone();
        withStatus["status"] = new JsonObject { ["observedGeneration"] = 1 };
        withStatus["spec"]!["service"]!["port"] = 1234; // ignored by a /status write
        var afterStatus = J(await K.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(withStatus, G, V, "default", P, "a"));
        Assert.Equal(1, afterStatus["status"]!["observedGeneration"]!.GetValue<int>());
        Assert.Equal(80, afterStatus["spec"]!["service"]!["port"]!.GetValue<int>());
        Assert.Equal(1, Gen(afterStatus));

        var mainWrite = (JsonObject)afterStatus.DeepClone();
        mainWrite["status"] = new JsonObject { ["observedGeneration"] = 42 };
        var afterMain = J(await K.CustomObjects.ReplaceNamespacedCustomObjectAsync(mainWrite, G, V, "default", P, "a"));
        Assert.Equal(1, afterMain["status"]!["observedGeneration"]!.GetValue<int>());
        Assert.Equal(1, Gen(afterMain));
    }

    [Fact]
    public async Task Merge_patch_and_json_patch_apply_to_the_stored_object()
    {
        await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a"), G, V, "default", P);
        var merged = J(await K.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"labels":{"team":"shop"}},"spec":{"protocol":"HTTP2"}}""", V1Patch.PatchType.MergePatch), G, V, "default", P, "a"));
        Assert.Equal("shop", merged["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.Equal("HTTP2", merged["spec"]!["protocol"]!.GetValue<string>());
        Assert.Equal("web", merged["spec"]!["service"]!["name"]!.GetValue<string>());
        Assert.Equal(2, Gen(merged));

        var patched = J(await K.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""[{"op":"test","path":"/spec/protocol","value":"HTTP2"},{"op":"replace","path":"/spec/service/port","value":9090},{"op":"remove","path":"/metadata/labels/team"}]""", V1Patch.PatchType.JsonPatch),
            G, V, "default", P, "a"));
        Assert.Equal(9090, patched["spec"]!["service"]!["port"]!.GetValue<int>());
        Assert.Null(patched["metadata"]!["labels"]!["team"]);

        var failedTest = await Assert.ThrowsAsync<HttpOperationException>(() => K.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""[{"op":"test","path":"/spec/protocol","value":"GRPC"}]""", V1Patch.PatchType.JsonPatch), G, V, "default", P, "a"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failedTest.Response.StatusCode);

        var statusPatch = J(await K.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"observedGeneration":3},"spec":{"protocol":"TCP"}}""", V1Patch.PatchType.MergePatch), G, V, "default", P, "a"));
        Assert.Equal(3, statusPatch["status"]!["observedGeneration"]!.GetValue<int>());
        Assert.Equal("HTTP2", statusPatch["spec"]!["protocol"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_with_finalizers_marks_and_removing_the_last_finalizer_deletes()
    {
        var body = Pool("a");
        body["metadata"]!["finalizers"] = new JsonArray("ballast.dev/cleanup");
        await K.CustomObjects.CreateNamespacedCustomObjectAsync(body, G, V, "default", P);
        await K.CustomObjects.DeleteNamespacedCustomObjectAsync(G, V, "default", P, "a");
        var marked = J(await K.CustomObjects.GetNamespacedCustomObjectAsync(G, V, "default", P, "a"));
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);

        await K.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), G, V, "default", P, "a");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => K.CustomObjects.GetNamespacedCustomObjectAsync(G, V, "default", P, "a"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task List_filters_by_label_selector_and_carries_the_list_resource_version()
    {
        await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("a", labels: new() { ["team"] = "shop", ["tier"] = "web" }), G, V, "default", P);
        await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("b", labels: new() { ["team"] = "pay" }), G, V, "default", P);
        await K.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("c"), G, V, "default", P);

        async Task<string[]> Names(string selector) =>
            J(await K.CustomObjects.ListNamespacedCustomObjectAsync(G, V, "default", P, labelSelector: selector))["items"]!.AsArray()
                .Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToArray();

        Assert.Equal(["a"], await Names("team=shop"));
        Assert.Equal(["a", "b"], await Names("team in (shop,pay)"));
        Assert.Equal(["b", "c"], await Names("team!=shop"));
        Assert.Equal(["c"], await Names("!team"));
        Assert.Equal(["a"], await Names("team,tier=web"));
        var list = J(await K.CustomObjects.ListNamespacedCustomObjectAsync(G, V, "default", P));
        Assert.Equal(_cluster.Api.Store.CurrentResourceVersion.ToString(), list["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Typed_core_resources_round_trip()
    {
        await K.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await K.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
        }, "shop");
        await K.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["10.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
        }, "shop");
        var slices = await K.DiscoveryV1.ListNamespacedEndpointSliceAsync("shop", labelSelector: "kubernetes.io/service-name=web");
        Assert.Equal("10.0.0.1", Assert.Single(slices.Items).Endpoints[0].Addresses[0]);
        var svc = await K.CoreV1.ReadNamespacedServiceAsync("web", "shop");
        Assert.Equal(80, svc.Spec.Ports[0].Port);
        var all = await K.CoreV1.ListServiceForAllNamespacesAsync();
        Assert.Single(all.Items);
    }

    [Fact]
    public async Task A_request_without_the_token_is_unauthorized()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(_cluster.Api.BaseUri, "/apis/ballast.dev/v1alpha1/backendpools"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_lists_the_ballast_group_and_its_status_subresources()
    {
        var groups = await K.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "ballast.dev");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", _cluster.Api.Token);
        var resources = JsonNode.Parse(await http.GetStringAsync(new Uri(_cluster.Api.BaseUri, "/apis/ballast.dev/v1alpha1")))!;
        var names = resources["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("backendpools/status", names);
        Assert.Contains("loadbalancerpolicies", names);
    }
}
