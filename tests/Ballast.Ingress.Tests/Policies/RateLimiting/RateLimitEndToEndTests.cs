using System.Collections.Immutable;
using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.Extensions.Time.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.RateLimiting;

[Trait("Category", "Integration")]
public sealed class RateLimitEndToEndTests
{
    private static RouteSnapshot Limited(RateLimitSnapshot limit) => Route("r", ("p", 1)) with { RateLimit = limit };

    [Fact]
    public async Task A_burst_of_100_against_10_per_second_lets_exactly_10_through_and_answers_the_rest_429_with_Retry_After()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = time });
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Limited(new RateLimitSnapshot { Limit = 10, Burst = 10 }))], Pool("p", backend)));
        var client = ingress.Client(port);

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync("/")));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(90, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta);
            Assert.Equal("10", r.Headers.GetValues("RateLimit-Limit").Single());
            Assert.Equal("0", r.Headers.GetValues("RateLimit-Remaining").Single());
            Assert.Equal("10;w=1;burst=10", r.Headers.GetValues("RateLimit-Policy").Single());
        });
        Assert.Equal(10, backend.Requests);
        Assert.Equal(90, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_rate_limited_total{route=\"r\"}"));

        // The budget refills at the configured rate: 100 ms buys one request, a second buys the whole burst.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/")).StatusCode);
        time.Advance(TimeSpan.FromSeconds(1));
        var next = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("/")));
        Assert.Equal(10, next.Count(r => r.StatusCode == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Each_API_key_has_its_own_budget()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = time });
        var port = FreePort.Next();
        var limit = new RateLimitSnapshot { Limit = 2, Period = TimeSpan.FromMinutes(1), Burst = 2, Key = RateLimitKey.Header, HeaderName = "X-Api-Key" };
        await ingress.ApplyAsync(Of(1, [Listener(port, Limited(limit))], Pool("p", backend)));
        var client = ingress.Client(port);

        async Task<HttpStatusCode> Send(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Api-Key", key);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [await Send("alice"), await Send("alice"), await Send("alice")]);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [await Send("bob"), await Send("bob"), await Send("bob")]);
        // Per minute: 30 s buys exactly one more request.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [await Send("alice"), await Send("alice")]);
    }

    [Fact]
    public async Task A_reload_with_the_same_limit_keeps_the_spent_budget()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = time });
        var port = FreePort.Next();
        var listeners = new[] { Listener(port, Limited(new RateLimitSnapshot { Limit = 3, Burst = 3 })) }.ToImmutableArray();
        await ingress.ApplyAsync(Of(1, listeners, Pool("p", backend)));
        var client = ingress.Client(port);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        await ingress.ApplyAsync(Of(2, listeners, Pool("p", backend)));

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/")).StatusCode);
    }
}
