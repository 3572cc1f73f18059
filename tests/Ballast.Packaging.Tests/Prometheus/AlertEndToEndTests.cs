using System.Net;
using System.Text.Json.Nodes;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Packaging.Tests.Prometheus;

/// <summary>
/// A real Prometheus server scrapes a running ingress every second with the shipped rules (rendered from the
/// chart with a short <c>for</c>): killing every backend of a pool fires BallastPoolNoHealthyEndpoint, a
/// backend coming back resolves it; a listener whose port another process holds is a failed reload that fires
/// BallastReloadFailed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AlertEndToEndTests
{
    private static readonly TimeSpan Scrape = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan For = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Killing_every_backend_of_a_pool_fires_the_no_healthy_endpoint_alert_and_a_returning_backend_resolves_it()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-prom-e2e-").FullName;
        try
        {
            var b1 = await TestBackend.StartAsync("b1");
            var b2 = await TestBackend.StartAsync("b2");
            var listenPort = FreePort.Next();
            var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
            File.WriteAllText(Path.Combine(config, "web.yaml"), $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: web }
                spec:
                  listeners: [{ name: http, port: {{listenPort}}, protocol: HTTP }]
                  routes: [{ name: all, match: { pathPrefix: / }, backends: [{ pool: web }] }]
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: web }
                spec:
                  endpoints: [{ address: "{{b1.Address}}" }, { address: "{{b2.Address}}" }]
                  healthCheck:
                    active:
                      http: { path: /health, expectStatus: ["200"] }
                      interval: 200ms
                      timeout: 100ms
                      unhealthyThreshold: 1
                      healthyThreshold: 1
                """);
            await using var host = await IngressHost.StartAsync(new IngressOptions { AdminPort = 0, AdminAddress = IPAddress.Loopback });
            await using var source = new FolderSnapshotSource(config, host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            await source.StartAsync();

            await using var prometheus = await StartPrometheusAsync(dir, host.AdminPort, "poolNoHealthyEndpoint");
            var http = prometheus.Api;

            // Healthy pool, scraped: the alert's expression has data and does not fire.
            await Eventually.GetAsync(() => Query(http, """sum by (pool) (ballast_endpoint_state{pool="default/web",state="healthy"})"""),
                v => v == 2, "Prometheus to see two healthy endpoints", within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(200));
            Assert.Null(await Alert(http, "BallastPoolNoHealthyEndpoint"));

            // Kill every backend; from the moment the ingress reports the pool empty, the alert fires within for + 2 scrapes
            // (+ one rule evaluation interval, 1 s, for the evaluation that sees it).
            await b1.DisposeAsync();
            await b2.DisposeAsync();
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}") };
            await Eventually.GetAsync(() => admin.GetStringAsync("/metrics"),
                m => !m.Split('\n').Any(l => l.StartsWith("ballast_endpoint_state{", StringComparison.Ordinal) && l.Contains("state=\"healthy\"") && l.EndsWith(" 1", StringComparison.Ordinal)),
                "the ingress to mark both endpoints down", within: TimeSpan.FromSeconds(10));
            var down = DateTime.UtcNow;
            var firing = await Eventually.GetAsync(() => Alert(http, "BallastPoolNoHealthyEndpoint"), a => a?["state"]?.GetValue<string>() == "firing",
                "BallastPoolNoHealthyEndpoint to fire", within: TimeSpan.FromSeconds(20), every: TimeSpan.FromMilliseconds(100));
            var took = DateTime.UtcNow - down;
            Assert.True(took <= For + 2 * Scrape + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(500), $"fired after {took.TotalSeconds:F1} s");
            Assert.Equal("default/web", firing!["labels"]!["pool"]!.GetValue<string>());
            Assert.Equal("critical", firing["labels"]!["severity"]!.GetValue<string>());
            Assert.Contains("default/web", firing["annotations"]!["summary"]!.GetValue<string>());

            // One backend returns on its old address: the alert resolves.
            await using var back = await TestBackend.StartAsync("b1-again", port: new Uri("http://" + b1.Address).Port);
            await Eventually.GetAsync(() => Alert(http, "BallastPoolNoHealthyEndpoint"), a => a is null,
                "BallastPoolNoHealthyEndpoint to resolve", within: TimeSpan.FromSeconds(20), every: TimeSpan.FromMilliseconds(100));
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }

    [Fact]
    public async Task A_listener_on_a_port_another_process_holds_is_a_failed_reload_that_fires_BallastReloadFailed()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-prom-bind-").FullName;
        try
        {
            await using var backend = await TestBackend.StartAsync("b1");
            using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            taken.Start();
            var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
            var listenPort = FreePort.Next();
            var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
            string Web(string extraListener) => $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: web }
                spec:
                  listeners: [{ name: http, port: {{listenPort}}, protocol: HTTP, address: 127.0.0.1 }{{extraListener}}]
                  routes: [{ name: all, match: { pathPrefix: / }, backends: [{ pool: web }] }]
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: web }
                spec:
                  endpoints: [{ address: "{{backend.Address}}" }]
                """;
            File.WriteAllText(Path.Combine(config, "web.yaml"), Web(""));
            await using var host = await IngressHost.StartAsync(new IngressOptions { AdminPort = 0, AdminAddress = IPAddress.Loopback });
            await using var source = new FolderSnapshotSource(config, host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            Assert.True(await source.ReloadAsync());

            await using var prometheus = await StartPrometheusAsync(dir, host.AdminPort, "reloadFailed");
            var http = prometheus.Api;

            // Scraped with no failure yet: the alert's counter is there at 0 and nothing fires.
            await Eventually.GetAsync(() => Query(http, "ballast_reload_failures_total"), v => v == 0,
                "Prometheus to scrape the reload-failure counter at 0", within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(200));
            Assert.Null(await Alert(http, "BallastReloadFailed"));

            // A listener on the taken port: the change is rejected, the last good snapshot keeps serving, the alert fires.
            File.WriteAllText(Path.Combine(config, "web.yaml"), Web($", {{ name: extra, port: {takenPort}, protocol: HTTP, address: 127.0.0.1 }}"));
            Assert.False(await source.ReloadAsync());
            Assert.Equal(1, host.CurrentSnapshot.Version);
            using var proxy = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Equal("b1", await proxy.GetStringAsync($"http://127.0.0.1:{listenPort}/"));
            var firing = await Eventually.GetAsync(() => Alert(http, "BallastReloadFailed"), a => a?["state"]?.GetValue<string>() == "firing",
                "BallastReloadFailed to fire", within: TimeSpan.FromSeconds(20), every: TimeSpan.FromMilliseconds(100));
            Assert.Equal("warning", firing!["labels"]!["severity"]!.GetValue<string>());
            Assert.Contains("rejected a configuration change", firing["annotations"]!["summary"]!.GetValue<string>());
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }

    /// <summary>
    /// A Prometheus server in <paramref name="dir"/> that scrapes the ingress's admin port every second and evaluates the
    /// shipped rules (from the chart) with a short <c>for</c> on the alert under test; and a client for its API.
    /// </summary>
    private static async Task<PrometheusServer> StartPrometheusAsync(string dir, int adminPort, string forValue)
    {
        var rules = (await Support.Helm.TemplateAsync("metrics.prometheusRule.enabled=true", $"metrics.prometheusRule.for.{forValue}={For.TotalSeconds}s"))
            .Only("PrometheusRule")["spec"]!;
        File.WriteAllText(Path.Combine(dir, "rules.yaml"), rules.ToJsonString()); // JSON is YAML
        var promPort = FreePort.Next();
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $$"""
            global: { scrape_interval: {{Scrape.TotalSeconds}}s, evaluation_interval: 1s }
            rule_files: [rules.yaml]
            scrape_configs:
              - job_name: ballast-ingress
                static_configs: [{ targets: ["127.0.0.1:{{adminPort}}"] }]
            """);
        var prometheus = new RunningProcess(Tools.Prometheus,
            ["--config.file=" + Path.Combine(dir, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(dir, "data"),
             $"--web.listen-address=127.0.0.1:{promPort}", "--log.level=warn"], workingDirectory: dir);
        return new PrometheusServer(prometheus, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{promPort}"), Timeout = TimeSpan.FromSeconds(5) });
    }

    private sealed class PrometheusServer(RunningProcess process, HttpClient api) : IAsyncDisposable
    {
        public HttpClient Api => api;

        public async ValueTask DisposeAsync()
        {
            api.Dispose();
            await process.DisposeAsync();
        }
    }

    private static async Task<JsonObject?> Alert(HttpClient http, string name)
    {
        try
        {
            var body = JsonNode.Parse(await http.GetStringAsync("/api/v1/alerts"))!;
            return body["data"]!["alerts"]!.AsArray().FirstOrDefault(a => a!["labels"]!["alertname"]!.GetValue<string>() == name)?.AsObject();
        }
        catch (HttpRequestException) { return null; }
    }

    private static async Task<double?> Query(HttpClient http, string promql)
    {
        try
        {
            var body = JsonNode.Parse(await http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql)))!;
            var result = body["data"]!["result"]!.AsArray();
            return result.Count == 0 ? null : double.Parse(result[0]!["value"]![1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException) { return null; }
    }

}
