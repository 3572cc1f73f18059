using System.Net;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Real probes against real backends on 127.0.0.1; the schedule and the timeouts run on a fake clock.</summary>
[Trait("Category", "Integration")]
public sealed class ActiveHealthCheckerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static ActiveHealthSnapshot HttpCheck(int unhealthy = 3, int healthy = 2) => new()
    {
        Kind = ActiveCheckKind.Http,
        Path = "/health",
        Interval = Interval,
        Timeout = TimeSpan.FromSeconds(1),
        JitterPercent = 0,
        UnhealthyThreshold = unhealthy,
        HealthyThreshold = healthy,
        ExpectStatus = [new StatusRange(200, 299)],
    };

    private static EndpointState EndpointOf(TestBackend backend) =>
        new(new EndpointSnapshot { Host = "127.0.0.1", Port = backend.Port });

    /// <summary>Runs probe number <paramref name="n"/>: advances the fake clock one interval (the first probe
    /// runs at once) and waits for that probe's real HTTP exchange to complete.</summary>
    private static async Task Probe(ActiveHealthChecker checker, FakeTimeProvider time, EndpointState endpoint, int n)
    {
        if (n > 1)
        {
            time.Advance(Interval);
        }

        await HealthFixtures.WaitFor(() => checker.ProbeCount(endpoint) >= n, $"probe {n}");
        Assert.Equal(n, checker.ProbeCount(endpoint));
    }

    [Fact]
    public async Task A_backend_whose_health_answers_503_is_down_after_exactly_unhealthyThreshold_probes_and_back_after_healthyThreshold_passes()
    {
        var status = 200;
        await using var backend = await TestBackend.StartAsync("b", ctx =>
        {
            ctx.Response.StatusCode = ctx.Request.Path == "/health" ? Volatile.Read(ref status) : 404;
            return Task.CompletedTask;
        });
        var time = new FakeTimeProvider();
        var log = new TransitionLog();
        var endpoint = EndpointOf(backend);
        using var checker = new ActiveHealthChecker(new PoolSnapshot { Id = "ns/p" }, HttpCheck(3, 2), time, new Random(1), log.Handler);
        checker.SetEndpoints([endpoint]);

        await Probe(checker, time, endpoint, 1);
        await Probe(checker, time, endpoint, 2);
        Assert.True(endpoint.Health.IsActiveHealthy);

        Volatile.Write(ref status, 503);
        await Probe(checker, time, endpoint, 3);
        Assert.True(endpoint.Health.IsActiveHealthy);
        await Probe(checker, time, endpoint, 4);
        Assert.True(endpoint.Health.IsActiveHealthy);
        await Probe(checker, time, endpoint, 5);
        Assert.False(endpoint.Health.IsActiveHealthy); // the third 503 in a row
        var down = Assert.Single(log.Entries);
        Assert.Equal(HealthChange.ActiveDown, down.Change);
        Assert.Contains("HTTP 503", down.Cause);

        Volatile.Write(ref status, 200);
        await Probe(checker, time, endpoint, 6);
        Assert.False(endpoint.Health.IsActiveHealthy);
        await Probe(checker, time, endpoint, 7);
        Assert.True(endpoint.Health.IsActiveHealthy); // the second pass in a row
        Assert.Equal(HealthChange.ActiveUp, log.Entries.Last().Change);
        Assert.Equal(2, log.Entries.Count);
        Assert.Equal(7, backend.Requests); // one probe per interval, nothing more
    }

    [Fact]
    public async Task One_prober_per_endpoint_however_often_the_endpoints_are_set()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var time = new FakeTimeProvider();
        var endpoint = EndpointOf(backend);
        using var checker = new ActiveHealthChecker(new PoolSnapshot(), HttpCheck(), time, new Random(1), (_, _, _) => { });
        checker.SetEndpoints([endpoint]);
        checker.SetEndpoints([endpoint]); // e.g. a reload, or a second route on the same pool
        await Probe(checker, time, endpoint, 1);
        await Probe(checker, time, endpoint, 2);
        await Probe(checker, time, endpoint, 3);
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task The_http_check_sends_its_method_and_host_header_and_matches_status_ranges_and_body()
    {
        string? seenMethod = null, seenHost = null;
        var body = "status: ok";
        await using var backend = await TestBackend.StartAsync("b", async ctx =>
        {
            seenMethod = ctx.Request.Method;
            seenHost = ctx.Request.Host.Value;
            ctx.Response.StatusCode = 302;
            await ctx.Response.WriteAsync(Volatile.Read(ref body));
        });
        var check = HttpCheck(1, 1) with
        {
            Method = "HEAD",
            Host = "health.internal",
            ExpectStatus = [new StatusRange(200, 200), new StatusRange(300, 399)],
        };
        using var transport = new ProbeTransport(new PoolSnapshot(), check);
        var target = new ProbeTarget("127.0.0.1", backend.Port);
        using var probe = new HttpHealthProbe(transport, check, target);
        var result = await probe.ProbeAsync(CancellationToken.None);
        Assert.True(result.Passed, result.Detail);
        Assert.Equal("HEAD", seenMethod);
        Assert.Equal("health.internal", seenHost);

        using var strict = new HttpHealthProbe(transport, check with { Method = "GET", ExpectStatus = [new StatusRange(200, 299)] }, target);
        var wrongStatus = await strict.ProbeAsync(CancellationToken.None);
        Assert.False(wrongStatus.Passed);
        Assert.Equal("HTTP 302", wrongStatus.Detail);

        using var bodyCheck = new HttpHealthProbe(transport, check with { Method = "GET", BodyContains = "ok" }, target);
        Assert.True((await bodyCheck.ProbeAsync(CancellationToken.None)).Passed);
        Volatile.Write(ref body, "status: degraded");
        var mismatch = await bodyCheck.ProbeAsync(CancellationToken.None);
        Assert.False(mismatch.Passed);
        Assert.Contains("body does not contain", mismatch.Detail);
    }

    [Fact]
    public async Task A_probe_that_outlives_its_timeout_fails_on_the_checkers_clock()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("slow", async ctx => await release.Task);
        var time = new FakeTimeProvider();
        var log = new TransitionLog();
        var endpoint = EndpointOf(backend);
        using var checker = new ActiveHealthChecker(new PoolSnapshot(), HttpCheck(1, 1), time, new Random(1), log.Handler);
        checker.SetEndpoints([endpoint]);
        await HealthFixtures.WaitFor(() => backend.Requests == 1, "the probe to reach the backend");
        Assert.Equal(0, checker.ProbeCount(endpoint));

        time.Advance(TimeSpan.FromSeconds(1));
        await HealthFixtures.WaitFor(() => checker.ProbeCount(endpoint) == 1, "the probe to time out");
        Assert.False(endpoint.Health.IsActiveHealthy);
        Assert.Contains("timeout after 1000 ms", Assert.Single(log.Entries).Cause);
        release.SetResult();
    }

    [Fact]
    public async Task The_tcp_check_fails_once_the_backend_stops_listening()
    {
        var backend = await TestBackend.StartAsync("tcp");
        var time = new FakeTimeProvider();
        var log = new TransitionLog();
        var endpoint = EndpointOf(backend);
        var check = HttpCheck(2, 1) with { Kind = ActiveCheckKind.Tcp };
        using var checker = new ActiveHealthChecker(new PoolSnapshot(), check, time, new Random(1), log.Handler);
        checker.SetEndpoints([endpoint]);
        await Probe(checker, time, endpoint, 1);
        Assert.True(endpoint.Health.IsActiveHealthy);

        await backend.DisposeAsync();
        await Probe(checker, time, endpoint, 2);
        Assert.True(endpoint.Health.IsActiveHealthy);
        await Probe(checker, time, endpoint, 3);
        Assert.False(endpoint.Health.IsActiveHealthy);
        Assert.Contains("ConnectionRefused", Assert.Single(log.Entries).Cause);
    }

    [Fact]
    public async Task The_health_port_override_probes_another_port_than_the_traffic_port()
    {
        await using var traffic = await TestBackend.StartAsync("traffic", ctx => { ctx.Response.StatusCode = 503; return Task.CompletedTask; });
        await using var health = await TestBackend.StartAsync("health");
        var time = new FakeTimeProvider();
        var endpoint = EndpointOf(traffic);
        var check = HttpCheck(1, 1) with { Port = health.Port };
        using var checker = new ActiveHealthChecker(new PoolSnapshot(), check, time, new Random(1), (_, _, _) => { });
        checker.SetEndpoints([endpoint]);
        await Probe(checker, time, endpoint, 1);
        await Probe(checker, time, endpoint, 2);
        Assert.True(endpoint.Health.IsActiveHealthy);
        Assert.Equal(2, health.Requests);
        Assert.Equal(0, traffic.Requests);
    }

    [Fact]
    public async Task The_grpc_check_speaks_grpc_health_v1_and_follows_the_serving_status()
    {
        var service = new HealthServiceImpl();
        service.SetStatus("shop.Orders", HealthCheckResponse.Types.ServingStatus.Serving);
        await using var backend = await TestBackend.StartAsync("grpc", protocols: HttpProtocols.Http2,
            configureServices: b => { b.Services.AddGrpc(); b.Services.AddSingleton(service); },
            configure: app => app.MapGrpcService<HealthServiceImpl>());
        var time = new FakeTimeProvider();
        var log = new TransitionLog();
        var endpoint = EndpointOf(backend);
        var check = HttpCheck(2, 1) with { Kind = ActiveCheckKind.Grpc, GrpcService = "shop.Orders" };
        using var checker = new ActiveHealthChecker(new PoolSnapshot { Protocol = PoolProtocol.GRPC }, check, time, new Random(1), log.Handler);
        checker.SetEndpoints([endpoint]);
        await Probe(checker, time, endpoint, 1);
        Assert.True(endpoint.Health.IsActiveHealthy);
        Assert.Empty(log.Entries);

        service.SetStatus("shop.Orders", HealthCheckResponse.Types.ServingStatus.NotServing);
        await Probe(checker, time, endpoint, 2);
        await Probe(checker, time, endpoint, 3);
        Assert.False(endpoint.Health.IsActiveHealthy);
        Assert.Contains("NotServing", Assert.Single(log.Entries).Cause);

        service.SetStatus("shop.Orders", HealthCheckResponse.Types.ServingStatus.Serving);
        await Probe(checker, time, endpoint, 4);
        Assert.True(endpoint.Health.IsActiveHealthy);
    }

    [Fact]
    public async Task A_new_checker_after_a_reload_keeps_the_verdict_of_an_endpoint_already_down()
    {
        await using var backend = await TestBackend.StartAsync("b", ctx => { ctx.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable; return Task.CompletedTask; });
        var time = new FakeTimeProvider();
        var endpoint = EndpointOf(backend);
        using (var first = new ActiveHealthChecker(new PoolSnapshot(), HttpCheck(1, 1), time, new Random(1), (_, _, _) => { }))
        {
            first.SetEndpoints([endpoint]);
            await Probe(first, time, endpoint, 1);
            Assert.False(endpoint.Health.IsActiveHealthy);
        }

        using var second = new ActiveHealthChecker(new PoolSnapshot(), HttpCheck(3, 2), time, new Random(1), (_, _, _) => { });
        second.SetEndpoints([endpoint]);
        await Probe(second, time, endpoint, 1);
        Assert.False(endpoint.Health.IsActiveHealthy);
    }
}
