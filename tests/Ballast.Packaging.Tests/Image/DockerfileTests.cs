using System.Net;
using System.Net.Sockets;
using Ballast.KubeEmulator;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Image;

[Trait("Category", "Integration")]
public sealed class DockerfileTests(PublishedImage image) : IClassFixture<PublishedImage>
{
    /// <summary>The runtime image's environment, as the container would see it.</summary>
    private static Dictionary<string, string> RuntimeEnv(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>();
        foreach (var step in Dockerfile.Load().Runtime.Instructions.Where(i => i.Keyword == "ENV"))
            foreach (var pair in step.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                env[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    [Fact]
    public void The_runtime_stage_is_non_root_shell_free_without_HEALTHCHECK_and_starts_the_ingress_by_default()
    {
        var file = Dockerfile.Load();
        Assert.Equal(["build", "echo-build", "echo-backend", "runtime"], file.Stages.Select(s => s.Name));
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", file.Build.Image);
        Assert.Contains("chiseled", file.Runtime.Image); // distroless: no shell, no package manager
        var user = file.Runtime.Instructions.Last(i => i.Keyword == "USER").Arguments;
        Assert.Matches(@"^[1-9][0-9]*:[1-9][0-9]*$", user); // numeric, so runAsNonRoot can verify it
        Assert.DoesNotContain(file.Stages.SelectMany(s => s.Instructions), i => i.Keyword == "HEALTHCHECK");
        Assert.DoesNotContain(file.Runtime.Instructions, i => i.Keyword == "RUN"); // nothing would run it: no shell
        Assert.Equal("[\"/app/ballast\"]", file.Runtime.Instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Contains(file.Runtime.Instructions, i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=build /app", StringComparison.Ordinal));
        Assert.True(File.Exists(RepoPaths.Of(".dockerignore")));
    }

    [Fact]
    public async Task The_published_ingress_starts_serves_health_and_metrics_and_stops_on_SIGTERM()
    {
        var ballast = Path.Combine(image.App, "ballast");
        Assert.True(File.Exists(ballast), "RUN dotnet publish did not produce /app/ballast: " + string.Join("\n", image.Commands));
        await using var backend = await TestBackend.StartAsync("b1");
        var config = Directory.CreateTempSubdirectory("ballast-image-config-").FullName;
        var listenPort = FreePort.Next();
        var adminPort = FreePort.Next();
        File.WriteAllText(Path.Combine(config, "policy.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: image-test }
            spec:
              listeners: [{ name: http, port: {{listenPort}}, protocol: HTTP }]
              routes: [{ name: all, match: { pathPrefix: / }, backends: [{ pool: one }] }]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: one }
            spec:
              endpoints: [{ address: "{{backend.Address}}" }]
            """);
        try
        {
            // The CMD's form with this test's folder and port: `ballast run --config DIR --admin-port N --admin-address 0.0.0.0`.
            await using var process = new RunningProcess(ballast, ["run", "--config", config, "--admin-port", adminPort.ToString(), "--admin-address", "0.0.0.0"],
                environment: RuntimeEnv());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var ready = await Eventually.GetAsync(() => StatusOf(http, $"http://127.0.0.1:{adminPort}/readyz"), s => s == 200 || process.HasExited,
                "the ingress's /readyz", within: TimeSpan.FromSeconds(60), every: TimeSpan.FromMilliseconds(200));
            Assert.True(ready == 200, "ballast exited:\n" + process.Output);
            Assert.Equal(200, await StatusOf(http, $"http://127.0.0.1:{adminPort}/healthz"));
            Assert.Equal("b1", await http.GetStringAsync($"http://127.0.0.1:{listenPort}/"));
            Assert.Contains("ballast_snapshot_version", await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics"));
            Assert.Equal(0, await process.TerminateAsync(TimeSpan.FromSeconds(20)));

            // The image's entry point is the `ballast` command: `docker run IMAGE --version`, `... validate -`.
            var version = await ProcessRunner.RunAsync(ballast, ["--version"], environment: RuntimeEnv());
            Assert.Matches(@"^ballast \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown)\)\n$", version.Stdout);
            var validate = await ProcessRunner.RunAsync(ballast, ["validate", "-"], environment: RuntimeEnv(),
                stdin: File.ReadAllText(Path.Combine(config, "policy.yaml")));
            Assert.True(validate.ExitCode == 0, validate.Output);
        }
        finally { Directory.Delete(config, recursive: true); }
    }

    [Fact]
    public async Task The_published_operator_starts_takes_the_lease_serves_healthz_and_metrics_and_stops_on_SIGTERM()
    {
        // The chart runs the operator as `command: [/app/ballast-operator]` from the same image.
        var op = Path.Combine(image.App, "ballast-operator");
        Assert.True(File.Exists(op), "RUN dotnet publish did not produce /app/ballast-operator: " + string.Join("\n", image.Commands));
        await using var api = await KubeApiEmulator.StartAsync();
        var dir = Directory.CreateTempSubdirectory("ballast-image-op-").FullName;
        try
        {
            var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
            var port = FreePort.Next();
            var metricsPort = FreePort.Next();
            await using var process = new RunningProcess(op, ["--kubeconfig", kubeconfig, "--listen", $"127.0.0.1:{port}", "--metrics-listen", $"127.0.0.1:{metricsPort}"], environment: RuntimeEnv(
                ("BALLAST_SNAPSHOT_TOKEN", "image-test"), ("POD_NAME", "ballast-operator-0"), ("POD_NAMESPACE", "default")));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var healthy = await Eventually.GetAsync(() => StatusOf(http, $"http://127.0.0.1:{port}/healthz"), s => s == 200 || process.HasExited,
                "the operator's /healthz", within: TimeSpan.FromSeconds(60), every: TimeSpan.FromMilliseconds(200));
            Assert.True(healthy == 200, "ballast-operator exited:\n" + process.Output);
            var lease = await Eventually.GetAsync(
                () => Task.FromResult(api.Store.Get(api.Type("coordination.k8s.io", "v1", "leases")!, "default", "ballast-operator")),
                l => l?["spec"]?["holderIdentity"]?.GetValue<string>() == "ballast-operator-0", "the operator to take the leader Lease",
                within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(200));
            Assert.NotNull(lease);
            await Eventually.GetAsync(() => http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics"),
                m => Ballast.Testing.PrometheusScrape.Value(m, "ballast_operator_leader") == 1, "the operator's /metrics to report it leads",
                within: TimeSpan.FromSeconds(10), every: TimeSpan.FromMilliseconds(200));
            Assert.Equal(0, await process.TerminateAsync(TimeSpan.FromSeconds(20)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task<int> StatusOf(HttpClient http, string url)
    {
        try { return (int)(await http.GetAsync(url)).StatusCode; }
        catch (HttpRequestException) { return 0; }
        catch (TaskCanceledException) { return 0; }
    }

}
