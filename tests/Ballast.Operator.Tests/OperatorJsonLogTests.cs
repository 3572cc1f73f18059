using System.Text.Json;
using Ballast.Operator.Tests.Support;
using Ballast.Testing;

namespace Ballast.Operator.Tests;

/// <summary>
/// The operator program itself (<c>ballast-operator --log-format json</c>) against the API emulator, read as a log
/// shipper reads it: every line a JSON object, and the reconcile lines about a resource carry its kind, namespace
/// and name as fields.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OperatorJsonLogTests
{
    [Fact]
    public async Task Reconcile_lines_about_a_resource_carry_its_kind_namespace_and_name_as_fields()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        await Manifests.ApplyAsync(cluster.Api, Manifests.Parse("""
            apiVersion: v1
            kind: Namespace
            metadata: { name: shop }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api, namespace: shop }
            spec:
              endpoints: [ { address: "127.0.0.1:8080" } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: web, namespace: shop }
            spec:
              listeners: [ { name: http, port: 8080 } ]
              routes: [ { match: { path: no-leading-slash }, backends: [ { pool: api } ] } ]
            """));
        await using var process = new RunningProcess("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "ballast-operator.dll"), "--kubeconfig", cluster.KubeconfigPath,
             "--listen", "127.0.0.1:0", "--metrics-listen", "off", "--log-format", "json"],
            environment: new Dictionary<string, string> { ["BALLAST_SNAPSHOT_TOKEN"] = "test-token", ["POD_NAME"] = "op-json", ["POD_NAMESPACE"] = "default" });

        try
        {
            await Eventually.True(() => process.Output.Contains("not accepted", StringComparison.Ordinal) && process.Output.Contains(": accepted", StringComparison.Ordinal),
                "the operator to log the policy's rejection and the pool's acceptance", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException) { Assert.Fail("no status lines; output:\n" + process.Output); }

        var logs = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => (Line: l, Json: TryParse(l))).ToList();
        Assert.True(logs.All(l => l.Json is not null), "not JSON: " + string.Join("\n", logs.Where(l => l.Json is null).Select(l => l.Line)));
        var rejected = logs.Select(l => l.Json!.Value).First(l => l.GetProperty("Message").GetString()!.Contains("not accepted", StringComparison.Ordinal));
        Assert.Equal("Warning", rejected.GetProperty("LogLevel").GetString());
        Assert.Contains("spec.routes[0].match.path", rejected.GetProperty("Message").GetString());
        Assert.Equal(("LoadBalancerPolicy", "shop", "web"), Resource(rejected));
        var accepted = logs.Select(l => l.Json!.Value).First(l => l.GetProperty("Message").GetString()!.EndsWith(": accepted", StringComparison.Ordinal));
        Assert.Equal(("BackendPool", "shop", "api"), Resource(accepted));
    }

    /// <summary>The one scope that names a resource.</summary>
    private static (string?, string?, string?) Resource(JsonElement line)
    {
        var scope = Assert.Single(line.GetProperty("Scopes").EnumerateArray(), s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("kind", out _));
        return (scope.GetProperty("kind").GetString(), scope.GetProperty("namespace").GetString(), scope.GetProperty("name").GetString());
    }

    private static JsonElement? TryParse(string line)
    {
        try { return JsonDocument.Parse(line).RootElement; }
        catch (JsonException) { return null; }
    }
}
