using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Routing;

[Trait("Category", "Integration")]
public sealed class SplitAndCanaryTests
{
    [Fact]
    public async Task A_90_10_split_is_exactly_9000_and_1000_over_10000_requests()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("v1", 90), ("v2", 10)))], Pool("v1", stable), Pool("v2", canary)));
        var client = ingress.Client(port);

        const int total = 10_000;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                using var response = await client.GetAsync("/");
                response.EnsureSuccessStatusCode();
            }
        }));

        Assert.Equal(total, stable.Requests + canary.Requests);
        // The split is a smooth weighted sequence (cycle of 10 for 90/10), not a draw: 10,000 requests are exactly 1,000 cycles.
        Assert.Equal((9_000, 1_000), (stable.Requests, canary.Requests));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("cookie")]
    public async Task The_canary_header_or_cookie_forces_the_canary_pool(string how)
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("v1", 100), ("v2", 0)) with
        {
            Canary = new CanarySnapshot { PoolId = "v2", HeaderName = "X-Canary", HeaderValue = "always", CookieName = "canary", CookieValue = "yes" },
        };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("v1", stable), Pool("v2", canary)));
        var client = ingress.Client(port);

        for (var i = 0; i < 10; i++)
        {
            using var forced = new HttpRequestMessage(HttpMethod.Get, "/");
            if (how == "header") forced.Headers.Add("X-Canary", "always");
            else forced.Headers.Add("Cookie", "session=1; canary=yes");
            (await client.SendAsync(forced)).EnsureSuccessStatusCode();

            using var wrongValue = new HttpRequestMessage(HttpMethod.Get, "/");
            if (how == "header") wrongValue.Headers.Add("X-Canary", "never");
            else wrongValue.Headers.Add("Cookie", "canary=no");
            (await client.SendAsync(wrongValue)).EnsureSuccessStatusCode();
        }

        Assert.Equal(10, canary.Requests);
        Assert.Equal(10, stable.Requests);
    }

    [Fact]
    public async Task Routes_send_each_request_to_their_own_pool_through_real_sockets()
    {
        await using var api = await TestBackend.StartAsync("api");
        await using var web = await TestBackend.StartAsync("web");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var apiRoute = Route("api", ("api", 1)) with { Match = new MatchSnapshot { Hosts = ["shop.test"], PathKind = PathMatchKind.Prefix, Path = "/api" } };
        var webRoute = Route("web", ("web", 1));
        await ingress.ApplyAsync(Of(1, [Listener(port, apiRoute, webRoute)], Pool("api", api), Pool("web", web)));
        var client = ingress.Client(port);

        using var toApi = new HttpRequestMessage(HttpMethod.Get, "/api/orders?id=1");
        toApi.Headers.Host = "shop.test";
        var apiResponse = await client.SendAsync(toApi);
        var webResponse = await client.GetAsync("/api/orders");

        Assert.Equal("api", await apiResponse.Content.ReadAsStringAsync());
        Assert.Equal("web", await webResponse.Content.ReadAsStringAsync());
        Assert.Equal(["/api/orders?id=1"], api.Paths.ToArray());
    }
}
