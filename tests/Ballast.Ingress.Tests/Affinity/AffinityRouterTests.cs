using Ballast.Ingress.Affinity;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Affinity;

/// <summary>The router without sockets: a fake clock drives cookie expiry and table TTLs.</summary>
[Trait("Category", "Integration")]
public sealed class AffinityRouterTests
{
    private static (AffinityRouter Router, PoolRuntime Pool, FakeTimeProvider Time) Create(AffinityType type)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
        var metrics = new IngressMetrics();
        var pool = new PoolRuntime(new PoolSnapshot
        {
            Id = "shop/p",
            Endpoints = [.. Enumerable.Range(1, 3).Select(i => new EndpointSnapshot { Host = "10.0.0." + i, Port = 80 })],
            SessionAffinity = new SessionAffinitySnapshot { Type = type, HeaderName = "X-User", Ttl = TimeSpan.FromMinutes(10) },
        }, (e, lb) => LoadBalancerRegistry.Create(e, lb), metrics);
        var router = new AffinityRouter(AffinityCluster.SharedKeys, new AffinityMetrics(metrics), new AffinityTable(time), null, time);
        return (router, pool, time);
    }

    [Fact]
    public async Task A_remembered_cookie_still_expires_on_time()
    {
        var (router, pool, time) = Create(AffinityType.Cookie);
        var first = new DefaultHttpContext();
        var pinned = await router.ChooseAsync(first, pool.Config, pool.Balancer);
        var cookie = first.Response.Headers.SetCookie.ToString();
        cookie = cookie[..cookie.IndexOf(';')];

        for (var i = 0; i < 3; i++)
        {
            var again = new DefaultHttpContext();
            again.Request.Headers.Cookie = cookie;
            Assert.Same(pinned, await router.ChooseAsync(again, pool.Config, pool.Balancer)); // verified once, then remembered
            Assert.Equal(0, again.Response.Headers.SetCookie.Count);
        }

        time.Advance(TimeSpan.FromMinutes(11));
        var late = new DefaultHttpContext();
        late.Request.Headers.Cookie = cookie;
        await router.ChooseAsync(late, pool.Config, pool.Balancer);
        Assert.Equal(1, late.Response.Headers.SetCookie.Count); // expired: treated as no cookie, a new one issued
    }

    [Fact]
    public async Task A_table_pin_whose_endpoint_left_the_available_set_moves_and_is_counted()
    {
        var (router, pool, _) = Create(AffinityType.Header);
        var context = new DefaultHttpContext();
        context.Request.Headers["X-User"] = "alice";
        var pinned = (await router.ChooseAsync(context, pool.Config, pool.Balancer))!;

        pool.Update(pool.Config with { Endpoints = [.. pool.Config.Endpoints.Where(e => e.Id != pinned.Id)] });
        var moved = await router.ChooseAsync(context, pool.Config, pool.Balancer);
        var again = await router.ChooseAsync(context, pool.Config, pool.Balancer);

        Assert.NotNull(moved);
        Assert.NotEqual(pinned.Id, moved.Id);
        Assert.Same(moved, again);
        Assert.Equal(1, router.View(pool.Config, pool.Balancer).Repins.Value);
    }
}
