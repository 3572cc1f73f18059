using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.ArgoCd;

/// <summary>
/// The Argo CD health script, run by a real Lua 5.1 (Argo CD embeds gopher-lua, a Lua 5.1) over statuses the
/// real operator wrote in the API emulator.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HealthCheckTests
{
    private static string Script => RepoPaths.Of("config", "argocd", "ballast-health.lua");

    [Fact]
    public void The_argocd_cm_snippet_carries_the_script_verbatim_for_both_kinds()
    {
        var cm = Support.Yaml.Single(File.ReadAllText(RepoPaths.Of("config", "argocd", "argocd-cm.yaml")));
        var script = File.ReadAllText(Script);
        Assert.Equal("argocd-cm", cm["metadata"]!["name"]!.GetValue<string>());
        foreach (var kind in new[] { "LoadBalancerPolicy", "BackendPool" })
            Assert.Equal(script, cm["data"]![$"resource.customizations.health.ballast.dev_{kind}"]!.GetValue<string>());
    }

    [Fact]
    public async Task Operator_statuses_map_to_Healthy_Progressing_and_Degraded()
    {
        await using var op = await OperatorInEmulator.StartAsync();
        await op.ApplySamplesAsync();

        // No replica connected yet: Programmed=Unknown (NoReplicas) is a real problem for a policy → Degraded.
        var noReplica = await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["reason"]?.GetValue<string>() == "NoReplicas", "Programmed=Unknown/NoReplicas");
        Assert.Equal(("Degraded", "no ingress replica is connected"), await HealthAsync(noReplica));

        // A replica runs the generation: Healthy, for the policy and for a pool.
        await op.ReplicaAppliesNewestAsync("ingress-0");
        var programmed = await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["status"]?.GetValue<string>() == "True", "policy Programmed=True");
        Assert.Equal("Healthy", (await HealthAsync(programmed)).Status);
        var pool = await Eventually.GetAsync(() => op.GetAsync("backendpools", "shop", "echo-v1"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["status"]?.GetValue<string>() == "True", "pool Programmed=True");
        Assert.Equal("Healthy", (await HealthAsync(pool)).Status);

        // An edit the operator has not observed yet: the API server bumped metadata.generation, status is older.
        var edited = (JsonObject)programmed.DeepClone();
        edited["metadata"]!["generation"] = programmed["metadata"]!["generation"]!.GetValue<long>() + 1;
        var (status, message) = await HealthAsync(edited);
        Assert.Equal("Progressing", status);
        Assert.Contains("not yet observed", message);

        // Nothing written yet at all (just applied): Progressing.
        var fresh = (JsonObject)programmed.DeepClone();
        fresh.Remove("status");
        Assert.Equal("Progressing", (await HealthAsync(fresh)).Status);

        // A second replica connects but has not applied the generation: Programmed=False/Pending → Progressing.
        await op.ReplicaConnectsWithoutApplyingAsync("ingress-1");
        var pending = await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["reason"]?.GetValue<string>() == "Pending", "Programmed=False/Pending");
        Assert.Equal("Progressing", (await HealthAsync(pending)).Status);

        // An invalid edit: Accepted=False → Degraded with the message that names the field.
        var invalid = Support.Yaml.Single(File.ReadAllText(RepoPaths.Of("samples", "kubernetes", "30-policy.yaml")));
        invalid["spec"]!["routes"]![0]!["match"] = new JsonObject { ["path"] = "no-leading-slash" }; // the schema takes it, the Compiler refuses it
        await op.ApplyAsync([invalid]);
        var rejected = await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Accepted")?["status"]?.GetValue<string>() == "False", "Accepted=False");
        var degraded = await HealthAsync(rejected);
        Assert.Equal("Degraded", degraded.Status);
        Assert.Equal(OperatorInEmulator.Condition(rejected, "Accepted")!["message"]!.GetValue<string>(), degraded.Message);
        Assert.Contains("spec.routes[0].match.path", degraded.Message);
    }

    [Fact]
    public async Task What_the_API_server_holds_while_the_operator_is_away_is_Progressing_not_Healthy_or_Degraded()
    {
        await using var op = await OperatorInEmulator.StartAsync();
        await op.ApplySamplesAsync();
        await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["reason"]?.GetValue<string>() == "NoReplicas", "the policy compiled (Programmed=Unknown/NoReplicas)");
        await op.ReplicaAppliesNewestAsync("ingress-0");
        await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["status"]?.GetValue<string>() == "True", "policy Programmed=True");
        await op.StopOperatorAsync();

        // A real edit: the API server bumps metadata.generation; the status still speaks of the previous one.
        var policy = Support.Yaml.Single(File.ReadAllText(RepoPaths.Of("samples", "kubernetes", "30-policy.yaml")));
        policy["spec"]!["routes"]![0]!["backends"]![0]!["weight"] = 50;
        await op.ApplyAsync([policy]);
        var behind = await op.GetAsync("loadbalancerpolicies", "shop", "shop");
        Assert.True(behind["metadata"]!["generation"]!.GetValue<long>() > behind["status"]!["observedGeneration"]!.GetValue<long>());
        var (status, message) = await HealthAsync(behind);
        Assert.Equal("Progressing", status);
        Assert.Contains("not yet observed", message);

        // A real new resource that no operator has seen: no status at all.
        var pool = Support.Yaml.Documents(File.ReadAllText(RepoPaths.Of("samples", "kubernetes", "20-pools.yaml")))
            .First(d => d["kind"]!.GetValue<string>() == "BackendPool");
        pool["metadata"]!["name"] = "brand-new";
        await op.ApplyAsync([pool]);
        var fresh = await op.GetAsync("backendpools", "shop", "brand-new");
        Assert.Null(fresh["status"]);
        Assert.Equal("Progressing", (await HealthAsync(fresh)).Status);
    }

    /// <summary>Runs the script as Argo CD does: the resource in the global <c>obj</c>, the result a table.</summary>
    private static async Task<(string Status, string Message)> HealthAsync(JsonObject resource)
    {
        var driver = new StringBuilder();
        driver.Append("obj = ").Append(ToLua(resource)).Append('\n');
        driver.Append("local hs = dofile(").Append(LuaString(Script)).Append(")\n");
        driver.Append("io.write(hs.status, '\\n', hs.message or '')\n");
        var result = await ProcessRunner.RunAsync(Tools.Lua, ["-"], stdin: driver.ToString());
        result.EnsureSuccess("lua5.1 health script");
        var lines = result.Stdout.Split('\n', 2);
        return (lines[0], lines.Length > 1 ? lines[1] : "");
    }

    private static string ToLua(JsonNode? node) => node switch
    {
        null => "nil",
        JsonObject o => "{" + string.Join(", ", o.Where(kv => kv.Value is not null).Select(kv => $"[{LuaString(kv.Key)}] = {ToLua(kv.Value)}")) + "}",
        JsonArray a => "{" + string.Join(", ", a.Select(ToLua)) + "}",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => LuaString(v.GetValue<string>()),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "nil",
        },
        _ => "nil",
    };

    private static string LuaString(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";
}
