using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Transforms;

[Trait("Category", "Integration")]
public sealed class RouteRulesTests
{
    [Fact]
    public async Task Header_rules_set_add_and_remove_on_request_and_response_and_forwarded_headers_are_added()
    {
        await using var backend = await TestBackend.StartAsync("a", ctx =>
        {
            var h = ctx.Request.Headers;
            ctx.Response.Headers["X-Internal"] = "secret";
            ctx.Response.Headers["X-Version"] = "backend";
            return ctx.Response.WriteAsync($"{h["X-Env"]}|{h["X-Tag"]}|{h["X-Drop"]}|{h["X-Forwarded-For"]}|{h["X-Forwarded-Proto"]}|{h["X-Forwarded-Host"]}");
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("p", 1)) with
        {
            RequestHeaders = new HeaderRulesSnapshot { Set = [new("X-Env", "prod")], Add = [new("X-Tag", "ballast")], Remove = ["X-Drop"] },
            ResponseHeaders = new HeaderRulesSnapshot { Set = [new("X-Version", "edge")], Remove = ["X-Internal"] },
        };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Env", "dev");
        request.Headers.Add("X-Drop", "1");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");
        request.Headers.Host = "shop.test";
        var response = await ingress.Client(port).SendAsync(request);

        Assert.Equal("prod|ballast||10.0.0.1, 127.0.0.1|http|shop.test", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("X-Internal"));
        Assert.Equal("edge", Assert.Single(response.Headers.GetValues("X-Version")));
    }

    [Fact]
    public async Task A_route_timeout_answers_504_when_the_backend_stalls()
    {
        var release = new TaskCompletionSource();
        await using var backend = await TestBackend.StartAsync("slow", async ctx =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await ctx.Response.WriteAsync("late");
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("p", 1)) with { Timeout = TimeSpan.FromMilliseconds(300) };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));

        var response = await ingress.Client(port).GetAsync("/");
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }
}
