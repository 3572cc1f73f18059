using System.Net;
using System.Text.RegularExpressions;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tls.Acme;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Packaging.Tests.Prometheus;

/// <summary>
/// An alert on a metric nobody exports never fires: every metric name the shipped rules (and dashboard) use must appear, with a
/// sample, in a real scrape of a running operator (in the API emulator, samples applied, a replica connected) or
/// a running ingress (HTTP and HTTPS listeners, an ACME listener whose CA is unreachable, a pool with one dead
/// endpoint, Redis configured, one request).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class AlertMetricsExportedTests
{
    [GeneratedRegex(@"\bballast_[a-z0-9_]+")]
    private static partial Regex MetricName();

    /// <summary>
    /// Metric names in the plain rules file, the chart's PrometheusRule template (comment lines aside) and the
    /// Grafana dashboard (a panel on a metric nobody exports is as empty as an alert that never fires).
    /// </summary>
    private static SortedSet<string> NamesUsedByRules()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in new[]
                 {
                     RepoPaths.Of("config", "prometheus", "ballast-rules.yaml"),
                     RepoPaths.Of("charts", "ballast", "templates", "prometheusrule.yaml"),
                     RepoPaths.Of("config", "grafana", "ballast-dashboard.json"),
                 })
            foreach (var line in File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith('#')))
                foreach (Match m in MetricName().Matches(line))
                    names.Add(m.Value);
        return names;
    }

    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_dashboard_use_appears_in_a_scrape_of_the_running_operator_or_ingress()
    {
        var used = NamesUsedByRules();
        Assert.Contains("ballast_operator_leader", used); // the extraction itself works
        Assert.Contains("ballast_endpoint_state", used);

        var exported = new HashSet<string>(StringComparer.Ordinal);
        exported.UnionWith(PrometheusScrape.SampleNames(await ScrapeOperatorAsync()));
        exported.UnionWith(PrometheusScrape.SampleNames(await ScrapeIngressAsync()));
        var missing = used.Where(n => !exported.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "used by alert rules or the dashboard but exported by no process: " + string.Join(", ", missing));
    }

    private static async Task<string> ScrapeOperatorAsync()
    {
        await using var op = await OperatorInEmulator.StartAsync();
        await op.ApplySamplesAsync();
        await Eventually.GetAsync(() => Task.FromResult(op.Operator.Elector.IsLeader && op.Operator.Hub.HasSnapshot), ok => ok, "the operator to lead and publish a snapshot");
        await op.ReplicaAppliesNewestAsync("replica-a");
        using var http = new HttpClient { BaseAddress = op.Operator.MetricsUri };
        return await http.GetStringAsync("/metrics");
    }

    private static async Task<string> ScrapeIngressAsync()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-alert-metrics-").FullName;
        try
        {
            await using var backend = await TestBackend.StartAsync("b1");
            using var acmeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var (certFile, keyFile) = SelfSignedCertificate(dir, "metrics.test");
            var httpPort = FreePort.Next();
            var httpsPort = FreePort.Next();
            var deadPort = FreePort.Next();
            var acmePort = FreePort.Next();
            var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
            File.WriteAllText(Path.Combine(config, "web.yaml"), $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: web }
                spec:
                  listeners:
                    - { name: http, port: {{httpPort}}, protocol: HTTP, address: 127.0.0.1 }
                    - name: https
                      port: {{httpsPort}}
                      protocol: HTTPS
                      address: 127.0.0.1
                      tls: { certificates: [ { certificateFile: "{{certFile}}", keyFile: "{{keyFile}}" } ] }
                    # An ACME listener whose directory nobody serves: its manager exists and fails.
                    - name: acme
                      port: {{acmePort}}
                      protocol: HTTPS
                      address: 127.0.0.1
                      hostnames: [acme.metrics.test]
                      tls: { acme: { directory: "http://127.0.0.1:{{deadPort}}/directory", email: ops@ballast.test } }
                  routes: [{ name: all, match: { pathPrefix: / }, backends: [{ pool: web }] }]
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: web }
                spec:
                  endpoints: [{ address: "{{backend.Address}}" }, { address: "127.0.0.1:{{deadPort}}" }]
                  healthCheck:
                    active:
                      http: { path: /health, expectStatus: ["200"] }
                      interval: 200ms
                      timeout: 100ms
                      unhealthyThreshold: 1
                      healthyThreshold: 1
                """);
            // Redis on a port nobody listens on: the replica runs degraded, which is what the affinity alert watches.
            await using var host = await IngressHost.StartAsync(new IngressOptions
            {
                AdminPort = 0,
                AdminAddress = IPAddress.Loopback,
                Redis = new RedisOptions { Endpoint = $"127.0.0.1:{FreePort.Next()}" },
                Acme = StandaloneAcme.Options(Path.Combine(dir, "state"), acmeHttp),
            });
            await using var source = new FolderSnapshotSource(config, host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            await source.StartAsync();
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}") };
            await Eventually.GetAsync(() => admin.GetStringAsync("/metrics"),
                m => PrometheusScrape.Value(m, $"ballast_endpoint_state{{pool=\"default/web\",endpoint=\"127.0.0.1:{deadPort}\",state=\"unhealthy\"}}") == 1,
                "the dead endpoint to be marked down");
            await Eventually.GetAsync(() => admin.GetStringAsync("/metrics"),
                m => PrometheusScrape.Value(m, "ballast_certificate_renewal_failures_total{host=\"acme.metrics.test\"}") >= 1,
                "the ACME listener's first attempt to fail and be counted");
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
            return await admin.GetStringAsync("/metrics");
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }

    private static (string Cert, string Key) SelfSignedCertificate(string dir, string host)
    {
        var (cert, key) = Ballast.Testing.SelfSignedCertificate.Create(host);
        var certFile = Path.Combine(dir, "tls.crt");
        var keyFile = Path.Combine(dir, "tls.key");
        File.WriteAllText(certFile, cert);
        File.WriteAllText(keyFile, key);
        return (certFile, keyFile);
    }

}
