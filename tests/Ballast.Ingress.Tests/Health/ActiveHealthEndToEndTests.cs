using System.Collections.Immutable;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Active checks, backups and the visibility surfaces through a real ingress and real backends.</summary>
[Trait("Category", "Integration")]
public sealed class ActiveHealthEndToEndTests
{
    private static readonly ActiveHealthSnapshot FastCheck = new()
    {
        Kind = ActiveCheckKind.Http,
        Path = "/health",
        Interval = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromSeconds(1),
        JitterPercent = 0,
        UnhealthyThreshold = 2,
        HealthyThreshold = 2,
        ExpectStatus = [new StatusRange(200, 299)],
    };

    /// <summary>A backend whose /health answers the current value of <paramref name="health"/>[0].</summary>
    private static Task<TestBackend> Backend(string name, int[] health) => TestBackend.StartAsync(name, async ctx =>
    {
        if (ctx.Request.Path == "/health")
        {
            ctx.Response.StatusCode = Volatile.Read(ref health[0]);
            return;
        }

        await ctx.Response.WriteAsync(name);
    });

    private static async Task<Dictionary<string, int>> SendAsync(HttpClient client, int count)
    {
        var served = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var response = await client.GetAsync("/work");
            response.EnsureSuccessStatusCode();
            var name = await response.Content.ReadAsStringAsync();
            served[name] = served.GetValueOrDefault(name) + 1;
        }

        return served;
    }

    [Fact]
    public async Task A_backend_whose_health_turns_503_is_taken_out_of_rotation_and_put_back_with_a_logged_cause_and_the_gauge()
    {
        int[] aHealth = [200], bHealth = [200];
        await using var a = await Backend("a", aHealth);
        await using var b = await Backend("b", bHealth);
        var (ingress, logs) = await HealthE2E.StartAsync();
        await using var _ = ingress;
        var port = FreePort.Next();
        var pool = Pool("ns/p", a, b) with { ActiveHealth = FastCheck };
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("ns/p", 1)))], pool));
        var client = ingress.Client(port);
        Assert.Equal(2, (await SendAsync(client, 10)).Count);

        Volatile.Write(ref aHealth[0], 503);
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", a.Address, "unhealthy");
        var served = await SendAsync(client, 10);
        Assert.Equal(10, served.GetValueOrDefault("b"));
        Assert.Contains(logs.Lines, l => l.Contains($"Endpoint {a.Address} of pool ns/p: ActiveDown: failed 2 consecutive Http check(s), last: HTTP 503"));
        var metrics = await ingress.MetricsAsync();
        Assert.Equal(1, PrometheusText.Value(metrics, $"ballast_endpoint_state{{pool=\"ns/p\",endpoint=\"{a.Address}\",state=\"unhealthy\"}}"));
        Assert.Equal(0, PrometheusText.Value(metrics, $"ballast_endpoint_state{{pool=\"ns/p\",endpoint=\"{a.Address}\",state=\"healthy\"}}"));
        Assert.Equal(1, PrometheusText.Value(metrics, $"ballast_endpoint_state{{pool=\"ns/p\",endpoint=\"{b.Address}\",state=\"healthy\"}}"));

        Volatile.Write(ref aHealth[0], 200);
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", a.Address, "healthy");
        Assert.Equal(2, (await SendAsync(client, 10)).Count);
        Assert.Contains(logs.Lines, l => l.Contains($"Endpoint {a.Address} of pool ns/p: ActiveUp: passed 2 consecutive Http check(s)"));
    }

    [Fact]
    public async Task Backups_take_traffic_only_when_every_primary_is_down_and_give_it_back()
    {
        int[] p1Health = [200], p2Health = [200], backupHealth = [200];
        await using var p1 = await Backend("p1", p1Health);
        await using var p2 = await Backend("p2", p2Health);
        await using var backup = await Backend("backup", backupHealth);
        var (ingress, _) = await HealthE2E.StartAsync();
        await using var __ = ingress;
        var port = FreePort.Next();
        var pool = Pool("ns/p", Model.Resources.PoolProtocol.HTTP1, Endpoint(p1), Endpoint(p2), Endpoint(backup, backup: true))
            with
        { ActiveHealth = FastCheck, PanicThresholdPercent = 0 };
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("ns/p", 1)))], pool));
        // Observe both primaries serving before the first request instead of assuming the swap and the first probes are done.
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", p1.Address, "healthy");
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", p2.Address, "healthy");
        var client = ingress.Client(port);
        Assert.Equal(0, (await SendAsync(client, 10)).GetValueOrDefault("backup"));

        Volatile.Write(ref p1Health[0], 503);
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", p1.Address, "unhealthy");
        var one = await SendAsync(client, 10);
        Assert.Equal(10, one.GetValueOrDefault("p2")); // one primary left: still no backup

        Volatile.Write(ref p2Health[0], 503);
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", backup.Address, "backup-active");
        Assert.Equal("Backup", await HealthE2E.ModeAsync(ingress, "ns/p"));
        Assert.Equal(10, (await SendAsync(client, 10)).GetValueOrDefault("backup"));

        Volatile.Write(ref p2Health[0], 200);
        await HealthE2E.WaitForStateAsync(ingress, "ns/p", p2.Address, "healthy");
        Assert.Equal(10, (await SendAsync(client, 10)).GetValueOrDefault("p2"));
        Assert.Equal("healthy", await HealthE2E.StateAsync(ingress, "ns/p", backup.Address));
    }

    [Fact]
    public async Task Passive_health_ejects_after_N_consecutive_5xx_and_the_pool_view_shows_it()
    {
        await using var bad = await TestBackend.StartAsync("bad", ctx => { ctx.Response.StatusCode = 500; return Task.CompletedTask; });
        await using var good = await TestBackend.StartAsync("good");
        var (ingress, logs) = await HealthE2E.StartAsync();
        await using var _ = ingress;
        var port = FreePort.Next();
        var pool = Pool("ns/p", bad, good) with
        {
            PassiveHealth = new PassiveHealthSnapshot { ConsecutiveFailures = 3, EjectionTime = TimeSpan.FromSeconds(30), MaxEjectionPercent = 50 },
        };
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("ns/p", 1)))], pool));
        var client = ingress.Client(port);
        for (var i = 0; i < 20; i++)
        {
            await client.GetAsync("/x");
        }

        Assert.Equal(3, bad.Requests); // the third 500 ejected it
        Assert.Equal(17, good.Requests);
        Assert.Equal("ejected", await HealthE2E.StateAsync(ingress, "ns/p", bad.Address));
        Assert.Contains(logs.Lines, l => l.Contains($"Endpoint {bad.Address} of pool ns/p: Ejected: 3 consecutive failures, last: HTTP 500; ejected for 30 s"));
    }
}
