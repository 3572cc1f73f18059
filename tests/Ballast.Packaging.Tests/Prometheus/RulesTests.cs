using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Prometheus;

[Trait("Category", "Integration")]
public sealed class RulesTests
{
    private static string RulesFile => RepoPaths.Of("config", "prometheus", "ballast-rules.yaml");
    private static string RulesTestFile => RepoPaths.Of("config", "prometheus", "ballast-rules.test.yaml");

    private static List<JsonObject> Alerts() =>
        Support.Yaml.Single(File.ReadAllText(RulesFile))["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject()).ToList();

    [Fact]
    public async Task Promtool_check_rules_accepts_the_rules()
    {
        var result = await ProcessRunner.RunAsync(Tools.Promtool, ["check", "rules", RulesFile]);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"SUCCESS: {Alerts().Count} rules found", result.Output);
    }

    [Fact]
    public async Task Promtool_test_rules_proves_each_alert_fires_on_its_series_and_stays_silent_on_the_other()
    {
        var result = await ProcessRunner.RunAsync(Tools.Promtool, ["test", "rules", RulesTestFile], workingDirectory: Path.GetDirectoryName(RulesTestFile));
        Assert.True(result.ExitCode == 0, result.Output);

        // Every alert has a case where it must fire (a non-empty exp_alerts) in the unit tests.
        var tests = Support.Yaml.Single(File.ReadAllText(RulesTestFile))["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Where(c => c!["exp_alerts"]!.AsArray().Count > 0)
            .Select(c => c!["alertname"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(Alerts().Select(a => a["alert"]!.GetValue<string>()).Order(), tests.Order());
    }

    [Fact]
    public async Task A_broken_rule_fails_the_unit_tests()
    {
        // The unit tests can fail: raise the no-healthy-endpoint threshold so it never matches, and promtool must say so.
        var dir = Directory.CreateTempSubdirectory("ballast-rules-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "ballast-rules.yaml"),
                File.ReadAllText(RulesFile).Replace("""ballast_endpoint_state{state=~"healthy|backup-active"}) == 0""", """ballast_endpoint_state{state=~"healthy|backup-active"}) < 0"""));
            File.Copy(RulesTestFile, Path.Combine(dir, "ballast-rules.test.yaml"));
            var result = await ProcessRunner.RunAsync(Tools.Promtool, ["test", "rules", "ballast-rules.test.yaml"], workingDirectory: dir);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("BallastPoolNoHealthyEndpoint", result.Output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Every_alert_has_a_summary_a_description_naming_its_labels_and_a_runbook_section()
    {
        var runbook = File.ReadAllText(RepoPaths.Of("docs", "operations.md"));
        foreach (var alert in Alerts())
        {
            var name = alert["alert"]!.GetValue<string>();
            var annotations = alert["annotations"]!;
            Assert.False(string.IsNullOrWhiteSpace(annotations["summary"]?.GetValue<string>()), name);
            var description = annotations["description"]!.GetValue<string>();
            // The labels the expression keeps (by (...)) are the ones that tell the on-call where to look.
            var expr = alert["expr"]!.GetValue<string>();
            var by = System.Text.RegularExpressions.Regex.Match(expr, @"^\w+ by \(([^)]*)\)");
            if (by.Success)
                foreach (var label in by.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Where(l => l != "le"))
                    Assert.Contains("$labels." + label, description);
            Assert.Contains("### " + name, runbook);
            Assert.EndsWith("docs/operations.md#" + name.ToLowerInvariant(), annotations["runbook_url"]!.GetValue<string>());
        }
    }
}
