using System.Net;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Affinity;

/// <summary>One replica, cookie affinity: the cookie's attributes, and cookies it must not trust.</summary>
[Trait("Category", "Integration")]
public sealed class CookieAffinityTests
{
    private static readonly SessionAffinitySnapshot Sticky = new()
    {
        Type = AffinityType.Cookie,
        CookieName = "SRV",
        Ttl = TimeSpan.FromMinutes(30),
        Secure = true,
        HttpOnly = true,
        SameSite = Model.Resources.SameSiteMode.Strict,
        Path = "/app",
        Domain = "shop.example",
    };

    private static async Task<(IngressFixture Ingress, HttpClient Client, TestBackend[] Backends)> StartAsync()
    {
        var backends = new[] { await TestBackend.StartAsync("b1"), await TestBackend.StartAsync("b2"), await TestBackend.StartAsync("b3") };
        var ingress = await IngressFixture.StartAsync(new Ballast.Ingress.Hosting.IngressOptions { AffinityKeys = AffinityCluster.SharedKeys });
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("q", ("shop/q", 1)) with
            {
                Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/q" },
            }, Route("r", ("shop/p", 1)))],
            Pool("shop/p", backends) with { SessionAffinity = Sticky },
            Pool("shop/q", backends) with { SessionAffinity = Sticky }));
        return (ingress, ingress.Client(port), backends);
    }

    private static async Task<(string? Backend, string? SetCookie)> GetAsync(HttpClient client, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.Add("Cookie", "SRV=" + cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null;
        return (response.Headers.GetValues("X-Backend").Single(), setCookie);
    }

    private static string ValueOf(string setCookie) => setCookie["SRV=".Length..setCookie.IndexOf(';')];

    [Fact]
    public async Task The_cookie_carries_the_configured_name_ttl_path_domain_and_flags_and_is_not_reissued_on_every_hit()
    {
        var (ingress, client, backends) = await StartAsync();
        await using var _ = ingress;
        try
        {
            var (backend, setCookie) = await GetAsync(client, "/", null);

            Assert.NotNull(setCookie);
            Assert.Equal($"SRV={ValueOf(setCookie)}; Path=/app; Max-Age=1800; Domain=shop.example; Secure; HttpOnly; SameSite=Strict", setCookie);
            Assert.DoesNotContain(backends.Single(b => b.Name == backend).Port.ToString(), setCookie); // names no endpoint in clear
            var again = await GetAsync(client, "/", ValueOf(setCookie));
            Assert.Equal(backend, again.Backend);
            Assert.Null(again.SetCookie);
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_tampered_foreign_or_other_pools_cookie_is_treated_as_no_cookie()
    {
        var (ingress, client, backends) = await StartAsync();
        await using var _ = ingress;
        try
        {
            var (_, issued) = await GetAsync(client, "/", null);
            var genuine = ValueOf(issued!);
            var tampered = (genuine[0] == 'A' ? 'B' : 'A') + genuine[1..];
            var foreignKey = Enumerable.Range(200, 32).Select(i => (byte)i).ToArray();
            var foreignTag = AffinityCookie.EndpointTag(foreignKey, "shop/p", $"127.0.0.1:{backends[0].Port}");
            var foreign = AffinityCookie.Encode(foreignKey, Ballast.Ingress.LoadBalancing.HashKey.Of("shop/p"), foreignTag, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600);
            var (_, fromOtherPool) = await GetAsync(client, "/q", null);

            foreach (var cookie in new[] { tampered, foreign, ValueOf(fromOtherPool!), "not-a-cookie" })
            {
                // Round robin over three backends: were the cookie trusted, all six would hit one backend.
                var seen = new HashSet<string>();
                for (var i = 0; i < 6; i++)
                {
                    var (backend, setCookie) = await GetAsync(client, "/", cookie);
                    Assert.NotNull(setCookie); // a fresh, genuine cookie replaces it
                    Assert.NotEqual(cookie, ValueOf(setCookie));
                    seen.Add(backend!);
                }
                Assert.True(seen.Count > 1, $"cookie {cookie} pinned the client");
            }
            var metrics = await ingress.MetricsAsync();
            Assert.Equal(0, PrometheusText.Value(metrics, "ballast_affinity_repins_total{pool=\"shop/p\"}") ?? 0); // not counted as re-pins
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_single_replica_with_header_affinity_needs_no_redis_and_keeps_each_client_on_one_backend()
    {
        var backends = new[] { await TestBackend.StartAsync("b1"), await TestBackend.StartAsync("b2"), await TestBackend.StartAsync("b3") };
        await using var ingress = await IngressFixture.StartAsync();
        try
        {
            var port = FreePort.Next();
            await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))],
                Pool("p", backends) with { SessionAffinity = new SessionAffinitySnapshot { Type = AffinityType.Header, HeaderName = "X-User" } }));
            var client = ingress.Client(port);

            var firsts = new HashSet<string>();
            for (var user = 0; user < 9; user++)
            {
                var seen = new HashSet<string>();
                for (var i = 0; i < 4; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                    request.Headers.Add("X-User", "u" + user);
                    using var response = await client.SendAsync(request);
                    seen.Add(response.Headers.GetValues("X-Backend").Single());
                }
                Assert.Single(seen);
                firsts.Add(seen.Single());
            }
            Assert.Equal(3, firsts.Count); // round robin spreads new clients; the table keeps them
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }
}
