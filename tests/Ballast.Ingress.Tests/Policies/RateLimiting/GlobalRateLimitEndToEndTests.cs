using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Tests.Affinity;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.RateLimiting;

/// <summary>
/// Three in-process ingress replicas (own listeners, data planes and Redis connections) behind one limit of 50.
/// The limit is 50 per minute with a burst of 50, so the ~1 s the client takes sits well inside one period: Redis's
/// budget refills one request per 1.2 s, hence 50 (at most 51 on a slow run) pass, whatever the wall clock does.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GlobalRateLimitEndToEndTests(ITestOutputHelper output)
{
    private const int Replicas = 3;
    private const int Limit = 50;

    private static RateLimitSnapshot Fifty(RateLimitMode mode) => new()
    {
        Limit = Limit,
        Period = TimeSpan.FromMinutes(1),
        Burst = Limit,
        Key = RateLimitKey.Route,
        Mode = mode,
        Replicas = mode == RateLimitMode.Global ? Replicas : 1,
    };

    private sealed record Replica(IngressFixture Ingress, FakeTimeProvider Time, HttpClient Client);

    private static async Task<List<Replica>> StartReplicasAsync(RedisServer? redis, TestBackend backend, RateLimitSnapshot limit, int count = Replicas)
    {
        var replicas = new List<Replica>();
        for (var i = 0; i < count; i++)
        {
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
            var ingress = await IngressFixture.StartAsync(new IngressOptions
            {
                Time = time,
                // A generous budget: the machine is shared, and a timeout would be a (correct) local decision.
                Redis = redis is null ? null : new RedisOptions { Endpoint = redis.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) },
            });
            var port = FreePort.Next();
            await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)) with { RateLimit = limit })], Pool("p", backend)));
            replicas.Add(new Replica(ingress, time, ingress.Client(port)));
            if (redis is not null) await Eventually.True(() => Connection(ingress).Multiplexer is { IsCompletedSuccessfully: true, Result.IsConnected: true }, "connected to Redis");
        }
        return replicas;
    }

    private static RedisConnection Connection(IngressFixture ingress) => ingress.Host.Services.GetRequiredService<RedisConnection>();

    /// <summary>
    /// 300 requests in 10 waves of 30, 100 ms apart: spread over about one second. <paramref name="replicaFor"/>
    /// picks each request's replica from its index in the wave (default: round robin, 10 per replica per wave).
    /// </summary>
    private static async Task<HttpStatusCode[]> SpreadAsync(List<Replica> replicas, int total = 300, int waves = 10, Func<int, int>? replicaFor = null)
    {
        replicaFor ??= i => i % replicas.Count;
        var statuses = new List<HttpStatusCode>();
        for (var wave = 0; wave < waves; wave++)
        {
            var pacing = Task.Delay(TimeSpan.FromMilliseconds(1000.0 / waves)); // the clients' pace (a rate limit is about time), not a synchronisation
            var sent = Enumerable.Range(0, total / waves).Select(async i =>
            {
                using var response = await replicas[replicaFor(i)].Client.GetAsync("/");
                return response.StatusCode;
            });
            statuses.AddRange(await Task.WhenAll(sent));
            await pacing;
        }
        return [.. statuses];
    }

    private static async Task DisposeAsync(List<Replica> replicas)
    {
        foreach (var replica in replicas) await replica.Ingress.DisposeAsync();
    }

    [Fact]
    public async Task Three_replicas_hold_50_together_and_with_Redis_stopped_each_serves_its_local_share()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("a");
        var replicas = await StartReplicasAsync(redis, backend, Fifty(RateLimitMode.Global));
        try
        {
            // Uneven traffic: 28 of each wave of 30 to the first replica, one each to the others (280/10/10). Only the
            // shared count gives 50 (51 on a slow run); each replica's own share (50 ÷ 3 = 16) would give 16 + 10 + 10 = 36.
            var statuses = await SpreadAsync(replicas, replicaFor: i => i < 28 ? 0 : i - 27);

            var passed = statuses.Count(s => s == HttpStatusCode.OK);
            output.WriteLine($"global (Redis), 3 replicas, limit {Limit}/min: {passed} of {statuses.Length} passed");
            Assert.InRange(passed, Limit, Limit + 1);
            Assert.Equal(statuses.Length - passed, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
            Assert.Equal(passed, backend.Requests);

            // Redis goes away: every replica notices, then admits its share (50 ÷ 3 = 16) on its own and keeps serving.
            await redis.StopAsync();
            foreach (var replica in replicas) await Eventually.True(() => Connection(replica.Ingress).IsDegraded, "degraded");
            foreach (var replica in replicas) replica.Time.Advance(TimeSpan.FromMinutes(1)); // a full local share, whatever came before
            var before = backend.Requests;
            var perReplica = new List<int>();
            foreach (var replica in replicas)
            {
                var local = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ => (await replica.Client.GetAsync("/")).StatusCode));
                Assert.All(local, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {s}"));
                perReplica.Add(local.Count(s => s == HttpStatusCode.OK));
            }
            output.WriteLine($"Redis stopped: per replica {string.Join(", ", perReplica)} passed of 30 each");
            Assert.Equal([16, 16, 16], perReplica);
            Assert.Equal(before + 48, backend.Requests);
            Assert.True(PrometheusText.Value(await replicas[0].Ingress.MetricsAsync(), "ballast_rate_limit_degraded_total{route=\"r\"}") >= 30);
        }
        finally
        {
            await DisposeAsync(replicas);
        }
    }

    [Fact]
    public async Task Only_the_shared_count_refuses_a_replica_that_has_served_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("a");
        var replicas = await StartReplicasAsync(redis, backend, Fifty(RateLimitMode.Global));
        try
        {
            // The first replica spends the whole limit (a local share would have stopped it at 16) …
            var first = await Task.WhenAll(Enumerable.Range(0, Limit).Select(async _ => (await replicas[0].Client.GetAsync("/")).StatusCode));
            Assert.All(first, s => Assert.Equal(HttpStatusCode.OK, s));
            // … so the others, which have admitted nothing themselves, refuse: the count they read is shared.
            foreach (var replica in replicas.Skip(1))
            {
                using var refused = await replica.Client.GetAsync("/");
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            }
            Assert.Equal(Limit, backend.Requests);
        }
        finally
        {
            await DisposeAsync(replicas);
        }
    }

    [Fact]
    public async Task Without_Redis_three_local_replicas_admit_three_times_the_limit()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var replicas = await StartReplicasAsync(null, backend, Fifty(RateLimitMode.Local));
        try
        {
            var statuses = await SpreadAsync(replicas);

            var passed = statuses.Count(s => s == HttpStatusCode.OK);
            output.WriteLine($"local (no Redis), 3 replicas, limit {Limit}/min each: {passed} of {statuses.Length} passed ({passed / Replicas} per replica)");
            Assert.Equal(Replicas * Limit, passed);
        }
        finally
        {
            await DisposeAsync(replicas);
        }
    }

    [Fact]
    public async Task A_global_limit_on_a_replica_without_Redis_enforces_the_local_share_and_counts_it()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var replicas = await StartReplicasAsync(null, backend, Fifty(RateLimitMode.Global) with { Key = RateLimitKey.ClientIp }, count: 1);
        try
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ => (await replicas[0].Client.GetAsync("/")).StatusCode));

            Assert.Equal(16, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(40, PrometheusText.Value(await replicas[0].Ingress.MetricsAsync(), "ballast_rate_limit_degraded_total{route=\"r\"}"));
        }
        finally
        {
            await DisposeAsync(replicas);
        }
    }

    [Fact]
    public async Task Once_Redis_refuses_a_key_the_replica_refuses_it_locally_without_asking_Redis_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("a");
        var limit = new RateLimitSnapshot { Limit = 2, Period = TimeSpan.FromMinutes(1), Burst = 2, Key = RateLimitKey.Route, Mode = RateLimitMode.Global, Replicas = 1 };
        var replicas = await StartReplicasAsync(redis, backend, limit, count: 1);
        try
        {
            var responses = new List<HttpResponseMessage>();
            for (var i = 0; i < 20; i++) responses.Add(await replicas[0].Client.GetAsync("/"));

            Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.All(responses.Skip(2), r =>
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
                Assert.InRange(r.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 29, 30); // one request per 30 s
                Assert.Equal("2;w=60;burst=2", r.Headers.GetValues("RateLimit-Policy").Single());
            });
            // Two admissions and the first refusal asked Redis; the other 17 refusals were decided by the pre-check.
            Assert.Equal(3, await ScriptCallsAsync(redis));
        }
        finally
        {
            await DisposeAsync(replicas);
        }
    }

    /// <summary>How many scripts Redis has run (EVAL and EVALSHA), from its own INFO commandstats.</summary>
    private static async Task<long> ScriptCallsAsync(RedisServer redis)
    {
        // The test's own admin connection: the replicas' connection rightly has no admin rights.
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        var info = await mux.GetServer(mux.GetEndPoints().Single()).InfoAsync("commandstats");
        return info.SelectMany(g => g)
            .Where(p => p.Key is "cmdstat_eval" or "cmdstat_evalsha")
            .Sum(p => long.Parse(p.Value.Split(',')[0]["calls=".Length..]));
    }
}
