using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.Auth;

/// <summary>
/// External auth against a real auth service on 127.0.0.1: "Bearer let-me-in" is allowed (and named alice),
/// "Bearer slow" never gets an answer, anything else gets 401 with the service's own challenge and page.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExternalAuthEndToEndTests
{
    private static async Task<(PolicyRouteSetup Setup, ConcurrentQueue<string> Checked)> StartAsync(bool failOpen = false, bool authDown = false)
    {
        var seen = new ConcurrentQueue<string>();
        var auth = await TestBackend.StartAsync("auth", async ctx =>
        {
            var h = ctx.Request.Headers;
            seen.Enqueue($"{h["X-Forwarded-Method"]} {h["X-Forwarded-Uri"]} {h.Authorization}");
            switch (h.Authorization.ToString())
            {
                case "Bearer let-me-in":
                    ctx.Response.Headers["X-Who"] = "alice";
                    return;
                case "Bearer slow":
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted); // a hung auth service
                    return;
                default:
                    ctx.Response.StatusCode = 401;
                    ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"sso\"";
                    await ctx.Response.WriteAsync("login first");
                    return;
            }
        });
        var backend = await TestBackend.StartAsync("api", ctx => ctx.Response.WriteAsync($"who={ctx.Request.Headers["X-Who"]};auth={ctx.Request.Headers.Authorization}"));
        var url = authDown ? $"http://127.0.0.1:{FreePort.Next()}/check" : $"http://127.0.0.1:{auth.Port}/check";
        var route = Route("r", ("p", 1)) with
        {
            ExternalAuth = new ExternalAuthSnapshot { Url = url, Timeout = TimeSpan.FromMilliseconds(300), ResponseHeaders = ["X-Who"], FailOpen = failOpen },
        };
        return (await PolicyRouteSetup.StartAsync(backend, route, auth), seen);
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Send(HttpClient client, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders?id=7");
        request.Headers.Add("X-Who", "forged");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task Allowed_requests_carry_the_services_chosen_header_and_the_service_sees_the_original_request()
    {
        var (s, seen) = await StartAsync();
        await using var _ = s;

        var allowed = await Send(s.Client, "Bearer let-me-in");

        Assert.Equal((HttpStatusCode.OK, "who=alice;auth=Bearer let-me-in"), (allowed.Status, allowed.Body));
        Assert.Equal(["POST /orders?id=7 Bearer let-me-in"], seen.ToArray());
    }

    [Fact]
    public async Task A_denial_is_relayed_with_its_status_challenge_and_page_and_never_reaches_the_backend()
    {
        await using var s = (await StartAsync()).Setup;

        var denied = await Send(s.Client, "Bearer wrong");
        var none = await Send(s.Client, null);

        Assert.Equal((HttpStatusCode.Unauthorized, "login first"), (denied.Status, denied.Body));
        Assert.Equal("Bearer realm=\"sso\"", denied.Response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal(0, s.Backend.Requests);
        Assert.Equal(2, await s.AuthFailuresAsync("external", "denied"));
    }

    [Fact]
    public async Task An_unreachable_or_hung_auth_service_denies_with_503_by_default()
    {
        await using var down = (await StartAsync(authDown: true)).Setup;
        await using var hung = (await StartAsync()).Setup;

        var refused = await Send(down.Client, "Bearer let-me-in");
        var started = DateTime.UtcNow;
        var timedOut = await Send(hung.Client, "Bearer slow");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.Status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the 300 ms timeout bounds the wait");
        Assert.Equal(0, down.Backend.Requests + hung.Backend.Requests);
        Assert.Equal(1, await down.AuthFailuresAsync("external", "unavailable"));
        Assert.Equal(1, await hung.AuthFailuresAsync("external", "unavailable"));
    }

    [Fact]
    public async Task With_failOpen_an_unreachable_auth_service_admits_and_counts_it_but_forwards_no_client_copy_of_the_identity_header()
    {
        await using var s = (await StartAsync(failOpen: true, authDown: true)).Setup;

        var admitted = await Send(s.Client, "Bearer anything");

        Assert.Equal((HttpStatusCode.OK, "who=;auth=Bearer anything"), (admitted.Status, admitted.Body));
        Assert.Equal(1, PrometheusText.Value(await s.Ingress.MetricsAsync(), "ballast_auth_fail_open_total{route=\"r\"}"));
    }
}
