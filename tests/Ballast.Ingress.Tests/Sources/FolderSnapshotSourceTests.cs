using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Sources;

[Trait("Category", "Integration")]
public sealed class FolderSnapshotSourceTests
{
    [Fact]
    public async Task Changes_reload_once_after_the_quiet_period()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        using var folder = new PolicyFolder(FreePort.Next(), v1, v2);
        await using var ingress = await IngressFixture.StartAsync();
        var time = new FakeTimeProvider();
        await using var source = new FolderSnapshotSource(folder.Path, ingress.Host, time, TimeSpan.FromMilliseconds(300),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.ReloadAsync();
        Assert.Equal(1, ingress.Host.CurrentSnapshot.Version);

        folder.WritePolicy(50, 50);
        source.NotifyChanged();
        time.Advance(TimeSpan.FromMilliseconds(200));
        source.NotifyChanged();
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, source.Attempts);

        time.Advance(TimeSpan.FromMilliseconds(100));
        await Eventually.True(() => source.Attempts == 2, "the debounced reload");
        Assert.Equal(2, ingress.Host.CurrentSnapshot.Version);
        Assert.Equal(50, ingress.Host.CurrentSnapshot.Listeners[0].Routes[0].Backends[1].Weight);
    }

    [Fact]
    public async Task An_invalid_edit_keeps_the_last_good_snapshot_serving_counts_and_names_the_field()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        using var folder = new PolicyFolder(FreePort.Next(), v1, v2);
        var logs = new CapturingLoggerProvider();
        await using var ingress = await IngressFixture.StartAsync(new() { ConfigureLogging = l => l.AddProvider(logs) });
        var time = new FakeTimeProvider();
        await using var source = new FolderSnapshotSource(folder.Path, ingress.Host, time, TimeSpan.FromMilliseconds(100),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.StartAsync();
        var client = ingress.Client(folder.Port);
        (await client.GetAsync("/")).EnsureSuccessStatusCode();

        folder.WritePolicy(50, 50, poolV2: "no-such-pool");
        source.NotifyChanged();
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Eventually.True(() => source.Attempts >= 2, "the rejected reload");

        Assert.Equal(1, ingress.Host.CurrentSnapshot.Version);
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_reload_failures_total"));
        var error = Assert.Single(logs.Messages, m => m.StartsWith("Error:") && m.Contains("no-such-pool"));
        Assert.Contains("policy.yaml", error);
        Assert.Contains("spec.routes[0].backends[1].pool", error);
    }

    [Fact]
    public async Task A_listener_on_a_taken_port_is_retried_with_backoff_counted_once_and_applied_once_the_port_is_free()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        using var folder = new PolicyFolder(((System.Net.IPEndPoint)taken.LocalEndpoint).Port, v1, v2);
        var logs = new CapturingLoggerProvider();
        await using var ingress = await IngressFixture.StartAsync(new() { ConfigureLogging = l => l.AddProvider(logs) });
        var time = new FakeTimeProvider();
        await using var source = new FolderSnapshotSource(folder.Path, ingress.Host, time, TimeSpan.FromMilliseconds(100),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());

        Assert.False(await source.ReloadAsync());
        time.Advance(FolderSnapshotSource.FirstRetry - TimeSpan.FromTicks(1));
        Assert.Equal(1, source.Attempts);
        time.Advance(TimeSpan.FromTicks(1));
        await Eventually.True(() => source.Attempts == 2, "the first retry, after 1 s");
        time.Advance(2 * FolderSnapshotSource.FirstRetry);
        await Eventually.True(() => source.Attempts == 3, "the second retry, 2 s later");
        // Still taken: the same reason is neither a new log line nor a new failure.
        Assert.Single(logs.Messages, m => m.StartsWith("Error:") && m.Contains("Rejected the change"));
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_reload_failures_total"));
        Assert.False(ingress.Host.HasSnapshot);

        taken.Stop();
        time.Advance(4 * FolderSnapshotSource.FirstRetry);
        await Eventually.True(() => source.Attempts == 4, "the third retry, 4 s later");
        Assert.True(ingress.Host.HasSnapshot);
        (await ingress.Client(folder.Port).GetAsync("/")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Hot_reload_under_load_fails_no_request_and_the_new_split_takes_over()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        using var folder = new PolicyFolder(FreePort.Next(), v1, v2);
        await using var ingress = await IngressFixture.StartAsync();
        await using var source = new FolderSnapshotSource(folder.Path, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.StartAsync();
        var client = ingress.Client(folder.Port);

        var failures = 0;
        var served = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/");
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                    else Interlocked.Increment(ref served);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();

        // Five weight changes over about five seconds, each waited for (the version moves on).
        (int, int)[] weights = [(50, 50), (10, 90), (70, 30), (30, 70), (20, 80)];
        foreach (var (w1, w2) in weights)
        {
            var version = ingress.Host.CurrentSnapshot.Version;
            folder.WritePolicy(w1, w2);
            await Eventually.True(() => ingress.Host.CurrentSnapshot.Version > version, $"the reload to {w1}/{w2}");
            await Task.Delay(TimeSpan.FromMilliseconds(800)); // keep the load running on each split
        }
        var (before1, before2) = (v1.Requests, v2.Requests);
        await Task.Delay(TimeSpan.FromMilliseconds(800)); // a last period of load on the final split, measured below
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        Assert.Equal(6, ingress.Host.CurrentSnapshot.Version);
        var (after1, after2) = (v1.Requests - before1, v2.Requests - before2);
        Assert.True(after1 + after2 > 200, $"only {after1 + after2} requests in the last window");
        Assert.InRange(after2 * 100.0 / (after1 + after2), 77.0, 83.0);
        Assert.Equal(6, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_reloads_total"));
    }
}
