using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.CircuitBreaking;

/// <summary>The pool circuit breaker's maxRetries caps the retries in flight; the retry path asks it.</summary>
[Trait("Category", "Integration")]
public sealed class RetryLimitEndToEndTests
{
    [Fact]
    public async Task A_retry_over_the_pools_maxRetries_is_not_sent_and_the_first_failure_is_returned_and_counted()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentDictionary<string, int>();
        // Both endpoints answer a request's first try with 503; its retry (the second arrival of its id) waits for release.
        Func<HttpContext, Task> handler = async ctx =>
        {
            var arrival = seen.AddOrUpdate(ctx.Request.Headers["X-Id"].ToString(), 1, (_, n) => n + 1);
            if (arrival == 1)
            {
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await ctx.Response.WriteAsync("first try fails");
                return;
            }
            await release.Task;
            await ctx.Response.WriteAsync("retried");
        };
        await using var a = await TestBackend.StartAsync("a", handler);
        await using var b = await TestBackend.StartAsync("b", handler);
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("p", 1)) with { Retries = new RetrySnapshot { Attempts = 1, On = RetryOn.Status503, BudgetPercent = 100 } };
        var pool = Pool("p", a, b) with { CircuitBreaker = new CircuitBreakerSnapshot { MaxRetries = 1 } };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], pool));
        var client = ingress.Client(port);

        var first = Send(client, "1");
        // The first request's retry now holds the pool's only retry slot.
        await Eventually.True(() => seen.GetValueOrDefault("1") == 2, "the first request's retry to reach the backend");

        using var second = await Send(client, "2");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("first try fails", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, seen.GetValueOrDefault("2")); // its retry was never sent
        Assert.False(first.IsCompleted);

        release.SetResult();
        using var firstResponse = await first;
        Assert.Equal("retried", await firstResponse.Content.ReadAsStringAsync());
        // The slot came back when the retry ended: a later request retries again.
        using var third = await Send(client, "3");
        Assert.Equal("retried", await third.Content.ReadAsStringAsync());
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_circuit_breaker_rejected_total{pool=\"p\",limit=\"maxRetries\"}"));
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Id", id);
        return client.SendAsync(request);
    }
}
