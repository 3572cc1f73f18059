using System.Globalization;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Hosting;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary>
/// A replica in operator mode (what the chart runs) uses the shared state it is given: <c>--redis</c> (the chart's
/// <c>ingress.redis.address</c>) and <c>--affinity-key-file</c>. Both were once parsed and then dropped in operator mode.
/// </summary>
public sealed class OperatorModeSharedStateTests
{
    [Fact]
    public void Operator_mode_keeps_redis_and_the_affinity_key_file_and_starts_the_host_with_them()
    {
        Assert.True(RunArguments.TryParse(["--operator", "http://op:8443", "--token-file", "/t", "--replica-id", "r1",
            "--redis", "redis.ballast:6379", "--affinity-key-file", "/etc/ballast/affinity-keys"], out var run, out var error), error);
        Assert.Equal("redis.ballast:6379", run.Redis?.Endpoint);
        Assert.Equal("/etc/ballast/affinity-keys", run.AffinityKeyFile);

        var keys = AffinityKeyRing.Random();
        var options = CommandLine.HostOptions(run, keys);
        Assert.Equal("redis.ballast:6379", options.Redis?.Endpoint);
        Assert.Same(keys, options.AffinityKeys);
    }

    /// <summary>
    /// The real program: <c>ballast run --operator … --redis</c> at a port where nothing listens connects to it (and says it
    /// is unreachable: <c>ballast_affinity_degraded 1</c>); without the flag reaching the host, there is no such series.
    /// </summary>
    [Fact]
    [Trait("Category", "Integration")]
    public async Task The_ballast_process_in_operator_mode_connects_to_the_redis_it_is_given()
    {
        var admin = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("ballast-op-redis-").FullName;
        var tokenFile = Path.Combine(dir, "token");
        File.WriteAllText(tokenFile, "t");
        try
        {
            await using var process = new RunningProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "ballast.dll"), "run",
                "--operator", $"http://127.0.0.1:{FreePort.Next()}", "--token-file", tokenFile, "--replica-id", "r1", "--state-dir", dir,
                "--admin-port", admin.ToString(CultureInfo.InvariantCulture), "--redis", $"127.0.0.1:{FreePort.Next()}"]);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<string> MetricsAsync()
            {
                try { return await http.GetStringAsync($"http://127.0.0.1:{admin}/metrics"); }
                catch (HttpRequestException) { return ""; }
                catch (TaskCanceledException) { return ""; }
            }
            var metrics = await Eventually.GetAsync(MetricsAsync, m => PrometheusScrape.Value(m, "ballast_affinity_degraded") == 1,
                "the replica to report its Redis unreachable", within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(200));
            Assert.Equal(1, PrometheusScrape.Value(metrics, "ballast_affinity_degraded"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
