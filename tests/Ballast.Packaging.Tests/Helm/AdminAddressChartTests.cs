using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Packaging.Tests.Support;

namespace Ballast.Packaging.Tests.Helm;

/// <summary>
/// <c>ingress.adminAddress</c> reaches the ingress as <c>--admin-address</c>: 0.0.0.0 by default (probes, scrapes and
/// <c>kubectl port-forward</c> reach it), the pod IP from the downward API with <c>podIP</c>; the rendered arguments are
/// parsed by the ingress's own argument parser, as the container would run them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminAddressChartTests
{
    [Theory]
    [InlineData(null, "0.0.0.0")]
    [InlineData("ingress.adminAddress=podIP", "10.42.0.7")]
    [InlineData("ingress.adminAddress=::", "::")]
    public async Task The_admin_address_value_becomes_the_ingress_admin_address(string? set, string expected)
    {
        var docs = set is null ? await Support.Helm.TemplateAsync() : await Support.Helm.TemplateAsync(set);
        var container = docs.Only("Deployment", "-ingress")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var podIp = env.SingleOrDefault(e => e["name"]!.GetValue<string>() == "POD_IP");
        Assert.Equal(set == "ingress.adminAddress=podIP", podIp is not null);
        if (podIp is not null) Assert.Equal("status.podIP", podIp["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());

        // The kubelet expands $(POD_NAME) and $(POD_IP) from the environment before the program sees its arguments.
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>().Replace("$(POD_IP)", "10.42.0.7", StringComparison.Ordinal)
            .Replace("$(POD_NAME)", "ballast-ingress-0", StringComparison.Ordinal)).ToArray();
        Assert.Equal("run", args[0]);
        Assert.True(RunArguments.TryParse(args[1..], out var run, out var error), error);
        Assert.Equal(IPAddress.Parse(expected), run.AdminAddress);
    }

    [Fact]
    public async Task A_malformed_admin_address_fails_helm_template_naming_the_value()
    {
        var result = await Support.Helm.TemplateRawAsync(["ingress.adminAddress=everywhere"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("adminAddress", result.Output);
    }
}
