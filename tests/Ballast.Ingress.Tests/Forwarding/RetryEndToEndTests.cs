using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>Retries through a real ingress: a killed backend under load, the body rule, the retry budget.</summary>
[Trait("Category", "Integration")]
public sealed class RetryEndToEndTests(ITestOutputHelper output)
{
    private static readonly RetrySnapshot Retries = new()
    {
        Attempts = 2,
        On = RetryOn.ConnectFailure | RetryOn.Reset | RetryOn.Status502 | RetryOn.Status503 | RetryOn.Status504,
        PerTryTimeout = TimeSpan.FromSeconds(2),
        BudgetPercent = 20,
    };

    private static readonly PassiveHealthSnapshot Passive = new()
    {
        ConsecutiveFailures = 3,
        EjectionTime = TimeSpan.FromSeconds(30),
        MaxEjectionPercent = 50,
    };

    private sealed record LoadResult(int Ok, int Failed, double Retries);

    /// <summary>64 clients send GETs for 5 s; one of three backends is killed after 1 s.</summary>
    private async Task<LoadResult> KillOneBackendUnderLoadAsync(bool retries)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var victim = await TestBackend.StartAsync("victim");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1)) with { Retries = retries ? Retries : null };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("ns/p", a, b, victim) with { PassiveHealth = Passive }));
        var client = ingress.Client(port);

        int ok = 0, failed = 0;
        var stopAt = Environment.TickCount64 + 5_000;
        var killAt = Environment.TickCount64 + 1_000;
        var kill = Task.Run(async () =>
        {
            // The victim dies one second into the load: a moment of the scenario, not a synchronisation.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, killAt - Environment.TickCount64)));
            await victim.DisposeAsync();
        });
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            while (Environment.TickCount64 < stopAt)
            {
                try
                {
                    using var response = await client.GetAsync("/work");
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        await kill;
        var metrics = await ingress.MetricsAsync();
        // A killed backend fails attempts both ways: refused connects (replays) and resets of requests it had taken.
        var retried = (PrometheusText.Value(metrics, "ballast_retries_total{route=\"r\"}") ?? 0) + (PrometheusText.Value(metrics, "ballast_replays_total{route=\"r\"}") ?? 0);
        output.WriteLine($"retries {(retries ? "on" : "off")}: {ok} ok, {failed} failed, {retried} retried or replayed requests; victim served {victim.Requests}");
        return new LoadResult(ok, failed, retried);
    }

    [Fact]
    public async Task A_backend_killed_under_64_clients_costs_no_failed_request_with_retries_on()
    {
        var result = await KillOneBackendUnderLoadAsync(retries: true);
        Assert.True(result.Ok > 1000, $"only {result.Ok} requests in 5 s");
        Assert.Equal(0, result.Failed);
        Assert.True(result.Retries > 0, "the kill must have been retried around");
    }

    [Fact]
    public async Task The_same_kill_with_retries_off_shows_failed_requests()
    {
        var result = await KillOneBackendUnderLoadAsync(retries: false);
        Assert.True(result.Failed >= Passive.ConsecutiveFailures, $"{result.Failed} failed requests");
        Assert.Equal(0, result.Retries);
    }

    [Fact]
    public async Task A_post_that_failed_after_its_body_was_sent_is_not_retried_and_a_get_that_failed_on_connect_is()
    {
        // "breaker" reads the whole body, then drops the connection: the body is gone, the POST must not be replayed.
        await using var breaker = await TestBackend.StartAsync("breaker", async ctx =>
        {
            using var sink = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(sink);
            ctx.Abort();
        });
        await using var good = await TestBackend.StartAsync("good");
        var dead = new EndpointSnapshot { Host = "127.0.0.1", Port = FreePort.Next() }; // nothing listens
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var optIn = Retries with { NonIdempotent = true };
        var posts = Route("posts", ("ns/posts", 1)) with { Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/post" }, Retries = optIn };
        var unsent = Route("unsent", ("ns/gets", 1)) with { Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/unsent" }, Retries = optIn };
        var gets = Route("gets", ("ns/gets", 1)) with { Retries = Retries };
        await ingress.ApplyAsync(Of(1, [Listener(port, posts, unsent, gets)],
            Pool("ns/posts", breaker, good),
            Pool("ns/gets", Model.Resources.PoolProtocol.HTTP1, dead, Endpoint(good))));
        var client = ingress.Client(port);

        var postStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync($"/post/{i}", new StringContent(new string('x', 10_000)));
            postStatuses.Add(response.StatusCode);
        }

        Assert.Equal(2, breaker.Requests); // round robin: every other POST reached the breaker …
        Assert.Equal(2, postStatuses.Count(s => s == HttpStatusCode.BadGateway)); // … and its failure reached the client
        Assert.Equal(2, good.Paths.Count(p => p.StartsWith("/post/"))); // the failed ones were not replayed to "good"
        var metrics = await ingress.MetricsAsync();
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retries_total{route=\"posts\"}") ?? 0);
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_replays_total{route=\"posts\"}") ?? 0);

        // Control: the same opted-in POST whose body never left (connect refused) is retried, so it is the sent
        // body, not the method, that stopped the retries above.
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.PostAsync($"/unsent/{i}", new StringContent(new string('x', 10_000)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, good.Paths.Count(p => p.StartsWith("/unsent/")));

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync($"/get/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, good.Paths.Count(p => p.StartsWith("/get/")));
        // Every GET that landed on the dead endpoint was replayed once, to "good" (the replay's pick also advances
        // the round robin, so with two endpoints every first pick can land on the dead one); nothing was a retry.
        var getMetrics = await ingress.MetricsAsync();
        Assert.InRange(PrometheusText.Value(getMetrics, "ballast_replays_total{route=\"gets\"}") ?? 0, 1, 4);
        Assert.Equal(0, PrometheusText.Value(getMetrics, "ballast_retries_total{route=\"gets\"}") ?? 0);
    }

    [Fact]
    public async Task A_503_is_retried_on_another_endpoint_and_never_reaches_the_client()
    {
        await using var sick = await TestBackend.StartAsync("sick", async ctx =>
        {
            ctx.Response.StatusCode = 503;
            await ctx.Response.WriteAsync("overloaded");
        });
        await using var good = await TestBackend.StartAsync("good");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("ns/p", 1)) with { Retries = Retries })], Pool("ns/p", sick, good)));
        var client = ingress.Client(port);

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync($"/x/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("X-Backend") && response.Headers.GetValues("X-Backend").Contains("sick"));
        }

        Assert.True(sick.Requests > 0);
        Assert.Equal(sick.Requests, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_retries_total{route=\"r\"}"));
    }

    [Fact]
    public async Task Connect_failures_are_retried_past_the_budget_since_nothing_reached_a_backend()
    {
        // A refused endpoint that is never ejected keeps its share: far more connect failures than the default
        // budget (20% of requests + 10 per window) would pay for. Nothing reached a backend on those, so all are retried.
        await using var live = await TestBackend.StartAsync("live");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1)) with { Retries = RetrySnapshot.Default };
        var pool = Pool("ns/p", Model.Resources.PoolProtocol.HTTP1,
            new EndpointSnapshot { Host = "127.0.0.1", Port = live.Port }, new EndpointSnapshot { Host = "127.0.0.1", Port = FreePort.Next() })
            with
        { PassiveHealth = new PassiveHealthSnapshot { ConsecutiveFailures = int.MaxValue, ConnectFailuresOnly = true } };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], pool));
        var client = ingress.Client(port);

        const int requests = 200;
        for (var i = 0; i < requests; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/x")).StatusCode);

        var metrics = await ingress.MetricsAsync();
        var replayed = PrometheusText.Value(metrics, "ballast_replays_total{route=\"r\"}") ?? 0;
        Assert.Equal(requests, live.Requests);
        Assert.True(replayed > requests * 20 / 100 + Ballast.Ingress.Runtime.RetryBudget.DefaultMinRetriesPerWindow, $"{replayed} replays: no more than the budget");
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retries_total{route=\"r\"}") ?? 0);
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retry_budget_exhausted_total{route=\"r\"}") ?? 0);
    }

    [Fact]
    public async Task With_every_backend_failing_retries_stay_within_the_budget()
    {
        await using var a = await TestBackend.StartAsync("a", ctx => { ctx.Response.StatusCode = 503; return Task.CompletedTask; });
        await using var b = await TestBackend.StartAsync("b", ctx => { ctx.Response.StatusCode = 503; return Task.CompletedTask; });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1)) with { Retries = Retries with { Attempts = 3, BudgetPercent = 20 } };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("ns/p", a, b)));
        var client = ingress.Client(port);

        const int requests = 400;
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var codes = new List<HttpStatusCode>();
            for (var i = 0; i < requests / 8; i++)
            {
                using var response = await client.GetAsync("/x");
                codes.Add(response.StatusCode);
            }

            return codes;
        })));

        var extra = a.Requests + b.Requests - requests;
        var retried = PrometheusText.Value(await ingress.MetricsAsync(), "ballast_retries_total{route=\"r\"}");
        var exhausted = PrometheusText.Value(await ingress.MetricsAsync(), "ballast_retry_budget_exhausted_total{route=\"r\"}");
        output.WriteLine($"{requests} requests, {extra} extra requests reached the backends ({retried} retries counted, {exhausted} refused by the budget); " +
                         $"budget 20% + {Ballast.Ingress.Runtime.RetryBudget.DefaultMinRetriesPerWindow} = {requests * 20 / 100 + Ballast.Ingress.Runtime.RetryBudget.DefaultMinRetriesPerWindow}");
        Assert.All(statuses.SelectMany(s => s), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(retried, extra);
        Assert.InRange(extra, 1, requests * 20 / 100 + Ballast.Ingress.Runtime.RetryBudget.DefaultMinRetriesPerWindow);
        Assert.True(exhausted > 0, "the budget must have refused retries (3 per failing request were allowed)");
    }
}
