using Ballast.Ha.Tests.Lab;
using Ballast.Testing;

namespace Ballast.Ha.Tests;

/// <summary>The pair's alert rules (config/prometheus/ballast-ha-rules.yaml) load, and fire as their unit tests say.</summary>
[Trait("Category", "Integration")]
public sealed class HaAlertRulesTests
{
    [Fact]
    public async Task The_ha_alert_rules_are_valid_and_fire_on_no_master_split_brain_and_a_faulty_node()
    {
        var promtool = ExternalTool.Require("promtool");
        var dir = RepoPaths.Of("config", "prometheus");
        var check = await NetworkLab.RunAsync(promtool, $"check rules {Path.Combine(dir, "ballast-ha-rules.yaml")}");
        Assert.True(check.Code == 0, check.Output);
        var test = await NetworkLab.RunAsync(promtool, $"test rules {Path.Combine(dir, "ballast-ha-rules.test.yaml")}");
        Assert.True(test.Code == 0, test.Output);
    }
}
