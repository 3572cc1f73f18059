using System.Text.Json.Nodes;
using Ballast.KubeEmulator;
using Ballast.Packaging.Tests.Support;

namespace Ballast.Packaging.Tests.Kubectl;

/// <summary>
/// The real kubectl against the emulator (over TLS, as kubectl sends its token only over TLS): server-side apply
/// with a conflict and its takeover, the 422 and the strict-decoding refusal as kubectl prints them, the printer
/// columns of `kubectl get`, and the field descriptions of `kubectl explain`.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KubectlAgainstEmulatorTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private string _dir = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(tls: true);
        _dir = Directory.CreateTempSubdirectory("ballast-kubectl-").FullName;
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<ProcessResult> Kubectl(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(Tools.Kubectl, ["--kubeconfig", _kubeconfig, .. args], workingDirectory: _dir,
            environment: new Dictionary<string, string> { ["HOME"] = _dir }, stdin: stdin, timeout: TimeSpan.FromSeconds(60));

    private const string Pool = """
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: web, namespace: default }
        spec:
          service: { name: web, port: 80 }
        """;

    [Fact]
    public async Task Server_side_apply_creates_reports_a_conflict_with_another_manager_and_force_takes_the_field_over()
    {
        (await Kubectl(Pool, "apply", "--server-side", "-f", "-")).EnsureSuccess("first apply");
        Assert.Contains("backendpool.ballast.dev/web serverside-applied", (await Kubectl(Pool, "apply", "--server-side", "-f", "-")).Stdout);

        var other = Pool.Replace("port: 80", "port: 81");
        var conflict = await Kubectl(other, "apply", "--server-side", "--field-manager=deployer", "-f", "-");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.service.port", conflict.Stderr);
        Assert.Equal("80", (await Kubectl(null, "get", "bp", "web", "-o", "jsonpath={.spec.service.port}")).EnsureSuccess("get").Stdout);

        (await Kubectl(other, "apply", "--server-side", "--field-manager=deployer", "--force-conflicts", "-f", "-")).EnsureSuccess("forced apply");
        var live = JsonNode.Parse((await Kubectl(null, "get", "bp", "web", "--show-managed-fields", "-o", "json")).EnsureSuccess("get").Stdout)!;
        Assert.Equal(81, live["spec"]!["service"]!["port"]!.GetValue<int>());
        var managers = live["metadata"]!["managedFields"]!.AsArray().ToDictionary(m => m!["manager"]!.GetValue<string>(), m => m!["fieldsV1"]!["f:spec"]!["f:service"]!.AsObject());
        Assert.True(managers["deployer"].ContainsKey("f:port"));
        Assert.False(managers["kubectl"].ContainsKey("f:port"));     // taken over
        Assert.True(managers["kubectl"].ContainsKey("f:name"));      // same value: shared
        Assert.True(managers["deployer"].ContainsKey("f:name"));

        // The first manager drops the port from its configuration: the field stays, owned by the deployer.
        (await Kubectl(Pool.Replace(", port: 80", ""), "apply", "--server-side", "-f", "-")).EnsureSuccess("apply without port");
        Assert.Equal("81", (await Kubectl(null, "get", "bp", "web", "-o", "jsonpath={.spec.service.port}")).Stdout);
    }

    [Fact]
    public async Task Invalid_objects_are_refused_with_every_field_as_kubectl_prints_them()
    {
        const string policy = """
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop }
            spec:
              listeners: [ { name: http, port: 0 } ]
              routes: [ { match: { path: /a, pathPrefix: /b }, backends: [ { pool: web } ] } ]
            """;
        foreach (var verb in new[] { new[] { "apply", "--server-side" }, ["create"] })
        {
            var refused = await Kubectl(policy, [.. verb, "-f", "-"]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("The LoadBalancerPolicy \"shop\" is invalid: \n"
                + "* spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1\n"
                + "* spec.routes[0].match: Invalid value: \"object\": at most one of path, pathPrefix, pathRegex may be set", refused.Stderr);
        }
        var unknown = await Kubectl(Pool.Replace("spec:", "spec:\n  colour: blue"), "apply", "--server-side", "-f", "-");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.colour\"", unknown.Stderr);
        Assert.Contains("No resources found", (await Kubectl(null, "get", "lbp,bp")).Output);
    }

    [Fact]
    public async Task Kubectl_get_shows_the_condition_columns_and_explain_shows_the_descriptions()
    {
        (await Kubectl("""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop }
            spec:
              listeners: [ { name: http, port: 80, hostnames: [shop.example] } ]
              routes: [ { match: { pathPrefix: / }, backends: [ { pool: web } ] } ]
            """, "apply", "--server-side", "-f", "-")).EnsureSuccess("apply");
        (await Kubectl(null, "patch", "lbp", "shop", "--subresource=status", "--type=merge", "-p", """
            {"status":{"conditions":[
              {"type":"Accepted","status":"True","reason":"Accepted","message":""},
              {"type":"ResolvedRefs","status":"False","reason":"PoolNotFound","message":"spec.routes[0].backends[0].pool: BackendPool \"web\" not found"},
              {"type":"Programmed","status":"False","reason":"Pending","message":"waiting for replicas"}],
             "addresses":[{"type":"IPAddress","value":"203.0.113.7"},{"type":"Hostname","value":"lb.example"}]}}
            """)).EnsureSuccess("status patch");

        var table = (await Kubectl(null, "get", "lbp")).EnsureSuccess("get").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "ACCEPTED", "PROGRAMMED", "REASON", "ADDRESS", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^shop\s+True\s+False\s+PoolNotFound,Pending\s+203\.0\.113\.7\s+\d+s$", table[1]);
        Assert.Contains("shop.example", (await Kubectl(null, "get", "lbp", "-o", "wide")).Stdout);

        var explain = (await Kubectl(null, "explain", "lbp.spec.routes.match.pathPrefix")).EnsureSuccess("explain").Stdout;
        Assert.Contains("A path prefix, matched segment by segment", explain);
    }
}
