using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Grafana;

[Trait("Category", "Integration")]
public sealed class DashboardTests
{
    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL_on_Ballast_metrics()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(RepoPaths.Of("config", "grafana", "ballast-dashboard.json")))!;
        var exprs = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(exprs);
        Assert.All(exprs, e => Assert.Contains("ballast_", e));
        // promtool parses each expression as a recording rule (Grafana's variables replaced as Grafana would).
        var rules = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "dashboard",
                ["rules"] = new JsonArray(exprs.Select((e, i) => (JsonNode)new JsonObject
                {
                    ["record"] = $"dashboard:panel{i}",
                    ["expr"] = e.Replace("$__rate_interval", "5m").Replace("$route", ".*").Replace("$pool", ".*"),
                }).ToArray()),
            }),
        };
        var file = Path.Combine(Path.GetTempPath(), $"ballast-dashboard-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, rules.ToJsonString());
        try
        {
            var result = await ProcessRunner.RunAsync(Tools.Promtool, ["check", "rules", file]);
            Assert.True(result.ExitCode == 0, result.Output);
        }
        finally { File.Delete(file); }
    }
}
