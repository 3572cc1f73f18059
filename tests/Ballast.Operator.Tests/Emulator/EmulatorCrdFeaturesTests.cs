using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.KubeEmulator;
using Ballast.KubeEmulator.Manifests;
using Ballast.KubeEmulator.Validation;
using k8s;
using k8s.Autorest;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>
/// CRD features our own CRDs do not use yet but the emulator honours as the API server does, on a small test CRD:
/// x-kubernetes-preserve-unknown-fields, transition rules (oldSelf), messageExpression, fieldPath and reason.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmulatorCrdFeaturesTests : IAsyncLifetime
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: { name: widgets.test.dev }
        spec:
          group: test.dev
          scope: Namespaced
          names: { kind: Widget, plural: widgets }
          versions:
          - name: v1
            served: true
            storage: true
            subresources: { status: {} }
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: { type: integer }
                      name: { type: string }
                      extra: { type: object, x-kubernetes-preserve-unknown-fields: true }
                    x-kubernetes-validations:
                    - rule: self.size >= oldSelf.size
                      message: size may not shrink
                    - rule: self.size <= 10
                      messageExpression: "'size ' + string(self.size) + ' is over 10'"
                    - rule: "!has(self.name) || self.name.startsWith('w-')"
                      message: must start with w-
                      fieldPath: .name
                      reason: FieldValueForbidden
        """;

    private KubeApiEmulator _api = null!;
    private Kubernetes _k = null!;

    public async Task InitializeAsync()
    {
        var widget = ResourceType.FromCrd(CustomResourceDefinition.FromManifest(KubeYaml.Single(Crd), new CelRuleCompiler()));
        _api = await KubeApiEmulator.StartAsync(types: [.. ResourceType.Defaults, widget]);
        _k = new Kubernetes(new KubernetesClientConfiguration { Host = _api.BaseUri.ToString(), AccessToken = _api.Token });
    }

    public async Task DisposeAsync()
    {
        _k.Dispose();
        await _api.DisposeAsync();
    }

    private static JsonObject Widget(string spec) => new()
    {
        ["apiVersion"] = "test.dev/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = "w" },
        ["spec"] = JsonNode.Parse(spec),
    };

    private static JsonObject J(object o) => JsonNode.Parse(((JsonElement)o).GetRawText())!.AsObject();

    private async Task<JsonObject> Refused(Func<Task> write)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(write);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        return JsonNode.Parse(e.Response.Content)!["details"]!["causes"]![0]!.AsObject();
    }

    [Fact]
    public async Task Preserved_unknown_fields_are_kept_where_the_schema_says_so_and_pruned_elsewhere()
    {
        await _k.CustomObjects.CreateNamespacedCustomObjectAsync(Widget("""{"size":1,"extra":{"anything":{"deep":[1,2]}},"other":true}"""), "test.dev", "v1", "default", "widgets");
        var stored = J(await _k.CustomObjects.GetNamespacedCustomObjectAsync("test.dev", "v1", "default", "widgets", "w"));
        Assert.Equal("""{"anything":{"deep":[1,2]}}""", stored["spec"]!["extra"]!.ToJsonString());
        Assert.Null(stored["spec"]!["other"]);
    }

    [Fact]
    public async Task A_transition_rule_runs_on_updates_only_against_the_old_value()
    {
        // On create there is no oldSelf: the rule does not run, so any size is fine.
        var created = J(await _k.CustomObjects.CreateNamespacedCustomObjectAsync(Widget("""{"size":5}"""), "test.dev", "v1", "default", "widgets"));
        created["spec"]!["size"] = 3;
        var cause = await Refused(() => _k.CustomObjects.ReplaceNamespacedCustomObjectAsync(created, "test.dev", "v1", "default", "widgets", "w"));
        Assert.Equal("spec", cause["field"]!.GetValue<string>());
        Assert.Equal("Invalid value: \"object\": size may not shrink", cause["message"]!.GetValue<string>());
        created["spec"]!["size"] = 6;
        await _k.CustomObjects.ReplaceNamespacedCustomObjectAsync(created, "test.dev", "v1", "default", "widgets", "w");
    }

    [Fact]
    public async Task MessageExpression_fieldPath_and_reason_shape_the_cause()
    {
        var byExpression = await Refused(() => _k.CustomObjects.CreateNamespacedCustomObjectAsync(Widget("""{"size":12}"""), "test.dev", "v1", "default", "widgets"));
        Assert.Equal("Invalid value: \"object\": size 12 is over 10", byExpression["message"]!.GetValue<string>());

        var byPath = await Refused(() => _k.CustomObjects.CreateNamespacedCustomObjectAsync(Widget("""{"size":1,"name":"x"}"""), "test.dev", "v1", "default", "widgets"));
        Assert.Equal("spec.name", byPath["field"]!.GetValue<string>());
        Assert.Equal("FieldValueForbidden", byPath["reason"]!.GetValue<string>());
        Assert.Equal("Forbidden: must start with w-", byPath["message"]!.GetValue<string>());
    }
}
