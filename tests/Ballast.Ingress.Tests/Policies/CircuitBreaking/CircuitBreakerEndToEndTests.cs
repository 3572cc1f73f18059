using System.Diagnostics;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.CircuitBreaking;

[Trait("Category", "Integration")]
public sealed class CircuitBreakerEndToEndTests
{
    [Fact]
    public async Task Two_hundred_slow_requests_against_a_pool_limited_to_50_send_50_and_refuse_the_rest_at_once()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var concurrent = 0;
        var peak = 0;
        await using var backend = await TestBackend.StartAsync("slow", async ctx =>
        {
            var now = Interlocked.Increment(ref concurrent);
            int seen;
            while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
            await release.Task;
            Interlocked.Decrement(ref concurrent);
            await ctx.Response.WriteAsync("done");
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var pool = Pool("p", backend) with { CircuitBreaker = new CircuitBreakerSnapshot { MaxRequests = 50 } };
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], pool));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30),
        };

        var started = Stopwatch.StartNew();
        var requests = Enumerable.Range(0, 200).Select(_ => client.GetAsync("/")).ToList();
        // The refusals arrive while the admitted 50 are still held by the backend: they did not queue.
        var refused = await Eventually.GetAsync(
            () => requests.Count(t => t.IsCompletedSuccessfully && t.Result.StatusCode == HttpStatusCode.ServiceUnavailable),
            n => n >= 150 && Volatile.Read(ref concurrent) >= 50, "150 refusals while the backend holds 50", TimeSpan.FromSeconds(20));
        Assert.Equal(150, refused);
        Assert.Equal(50, Volatile.Read(ref concurrent));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20));

        release.SetResult();
        var responses = await Task.WhenAll(requests);
        Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(50, backend.Requests);
        Assert.Equal(50, Volatile.Read(ref peak));
        Assert.Equal(150, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_circuit_breaker_rejected_total{pool=\"p\",limit=\"maxRequests\"}"));

        // Once the 50 finished, the pool admits again.
        var breaker = ingress.Host.DataPlane.Current.Pools["p"].Breaker;
        await Eventually.True(() => breaker.Active == 0, "the breaker to count no active request");
        var after = client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, (await after).StatusCode);
    }
}
