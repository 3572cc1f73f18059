using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;

namespace Ballast.Packaging.Tests.Helm;

/// <summary>What Prometheus needs from the chart to scrape both programs: ports, Services, ServiceMonitor, annotations.</summary>
[Trait("Category", "Integration")]
public sealed class MetricsScrapeTests
{
    private static JsonNode Pod(JsonObject workload) => workload["spec"]!["template"]!;

    private static bool Selects(JsonNode matchLabels, JsonNode? labels) =>
        matchLabels.AsObject().All(kv => labels?[kv.Key]?.GetValue<string>() == kv.Value!.GetValue<string>());

    [Fact]
    public async Task The_ServiceMonitor_reaches_the_ingress_admin_port_and_the_metrics_port_of_every_operator_replica()
    {
        var docs = await Support.Helm.TemplateAsync("metrics.serviceMonitor.enabled=true", "operator.metricsPort=9191");
        var monitor = docs.Only("ServiceMonitor");
        var selector = monitor["spec"]!["selector"]!["matchLabels"]!;
        var services = docs.OfKind("Service").Where(s => Selects(selector, s["metadata"]!["labels"])).ToList();
        Assert.DoesNotContain(services, s => s["metadata"]!["name"]!.GetValue<string>().EndsWith("-ingress", StringComparison.Ordinal)); // not the public Service

        var endpointPorts = monitor["spec"]!["endpoints"]!.AsArray().Select(e => e!["port"]!.GetValue<string>()).ToList();
        Assert.Equal(["admin", "metrics"], endpointPorts.Order());
        foreach (var (port, workloadSuffix) in new[] { ("admin", "-ingress"), ("metrics", "-operator") })
        {
            // A selected Service names the port, and its pods are the workload's, whose container exposes that port.
            var service = Assert.Single(services, s => s["spec"]!["ports"]!.AsArray().Any(p => p!["name"]!.GetValue<string>() == port));
            var workload = docs.Only("Deployment", workloadSuffix);
            Assert.True(Selects(service["spec"]!["selector"]!, Pod(workload)["metadata"]!["labels"]), $"{port}: the Service selects the {workloadSuffix} pods");
            Assert.Contains(Pod(workload)["spec"]!["containers"]![0]!["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == port);
        }

        // The operator's standby is never ready (only the leader serves snapshots), yet it must be scraped.
        var operatorMetrics = Assert.Single(services, s => s["metadata"]!["name"]!.GetValue<string>().EndsWith("-operator-metrics", StringComparison.Ordinal));
        Assert.True(operatorMetrics["spec"]!["publishNotReadyAddresses"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_operator_listens_for_metrics_on_the_port_its_container_and_scrape_annotations_name()
    {
        var docs = await Support.Helm.TemplateAsync("operator.metricsPort=9191");
        var pod = Pod(docs.Only("Deployment", "-operator"));
        var container = pod["spec"]!["containers"]![0]!;
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("0.0.0.0:9191", args[args.IndexOf("--metrics-listen") + 1]);
        Assert.Contains(container["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "metrics" && p["containerPort"]!.GetValue<long>() == 9191);
        var annotations = pod["metadata"]!["annotations"]!;
        Assert.Equal("true", annotations["prometheus.io/scrape"]!.GetValue<string>());
        Assert.Equal("9191", annotations["prometheus.io/port"]!.GetValue<string>());
        Assert.Equal("/metrics", annotations["prometheus.io/path"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_network_policies_the_operator_metrics_port_is_open_to_the_metrics_sources_only()
    {
        var docs = await Support.Helm.TemplateAsync("networkPolicy.enabled=true", "operator.metricsPort=9191");
        var rules = docs.Only("NetworkPolicy", "-operator")["spec"]!["ingress"]!.AsArray();
        var metricsRule = Assert.Single(rules, r => r!["ports"]!.AsArray().Any(p => p!["port"]!.GetValue<long>() == 9191));
        Assert.Equal("monitoring", metricsRule!["from"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        var snapshotRule = Assert.Single(rules, r => r!["ports"]!.AsArray().Any(p => p!["port"]!.GetValue<long>() == 8443));
        Assert.All(snapshotRule!["from"]!.AsArray(), f => Assert.NotNull(f!["podSelector"])); // ingress pods only
    }
}
