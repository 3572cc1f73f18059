using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Cli;

/// <summary>
/// The <c>ballast</c> script at the repository root, as the README tells users to run it: its arguments and standard
/// input reach the program. <c>BALLAST_BIN_DIR</c> points it at the ballast.dll this test project already built
/// (the script's own build would cost the suite a Release build).
/// </summary>
[Trait("Category", "Integration")]
public sealed class BallastScriptTests
{
    private static readonly Dictionary<string, string> Prebuilt = new() { ["BALLAST_BIN_DIR"] = AppContext.BaseDirectory };

    [Fact]
    public async Task The_script_prints_the_version_and_help()
    {
        var version = await ProcessRunner.RunAsync("bash", [RepoPaths.Of("ballast"), "--version"], RepoPaths.Root, Prebuilt);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^ballast \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown)\)\n$", version.Stdout);
        var help = await ProcessRunner.RunAsync("bash", [RepoPaths.Of("ballast"), "validate", "--help"], RepoPaths.Root, Prebuilt);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("helm template", help.Stdout);
    }

    [Fact]
    public async Task Validate_reads_a_piped_helm_render_of_the_chart_beside_a_sample_folder()
    {
        var environment = new Dictionary<string, string>(Prebuilt)
        {
            ["HELM"] = Tools.Helm,
            ["HELM_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "config"),
            ["HELM_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "data"),
        };
        var result = await ProcessRunner.RunAsync("bash",
            ["-c", "set -o pipefail; \"$HELM\" template shop charts/ballast --namespace ballast-system --include-crds | ./ballast validate - samples/quickstart"],
            RepoPaths.Root, environment);

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Stdout.Trim().Split('\n');
        // The chart's own objects are Kubernetes kinds Ballast does not read: one line names them, with counts.
        var ignored = Assert.Single(lines, l => l.StartsWith("ignored (kinds Ballast does not read): ", StringComparison.Ordinal));
        foreach (var kind in new[] { "CustomResourceDefinition (apiextensions.k8s.io/v1)", "Deployment (apps/v1)", "ServiceAccount (v1)", "ClusterRole (rbac.authorization.k8s.io/v1)" })
            Assert.Contains(kind, ignored);
        Assert.StartsWith("OK: 1 LoadBalancerPolicy, 1 BackendPool", lines[^1]);
        Assert.Contains("in - samples/quickstart", lines[^1]);
    }
}
