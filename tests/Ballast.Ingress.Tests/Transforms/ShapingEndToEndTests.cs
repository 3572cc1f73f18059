using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Transforms;

/// <summary>Header-prefix stripping, host/path/regex rewrites and redirects through a real ingress.</summary>
[Trait("Category", "Integration")]
public sealed class ShapingEndToEndTests
{
    /// <summary>A backend that answers with what it received: host, path and query, and the named headers.</summary>
    private static Task<TestBackend> EchoAsync() => TestBackend.StartAsync("echo", ctx =>
    {
        var r = ctx.Request;
        var lines = new List<string> { $"host={r.Host.Value}", $"path={r.Path.Value}{r.QueryString.Value}" };
        lines.AddRange(r.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}={h.Value}").Order());
        return ctx.Response.WriteAsync(string.Join("\n", lines));
    });

    private static MatchSnapshot Prefix(string path) => new() { PathKind = PathMatchKind.Prefix, Path = path };

    [Fact]
    public async Task Internal_header_prefix_is_stripped_from_client_requests_before_routing_and_forwarding()
    {
        await using var backend = await EchoAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        // A route that a spoofed internal header would select, if stripping came after routing.
        var spoofable = Route("spoofable", ("p", 1)) with
        {
            Match = new MatchSnapshot { Headers = [new ValueMatchSnapshot("X-Internal-Role", ValueMatchKind.Present, "")] },
            ResponseHeaders = new HeaderRulesSnapshot { Set = [KeyValuePair.Create("X-Route", "spoofable")] },
        };
        var listener = Listener(port, spoofable, Route("all", ("p", 1))) with { StripRequestHeaderPrefixes = ["X-Internal-"] };
        await ingress.ApplyAsync(Of(1, [listener], Pool("p", backend)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/who");
        request.Headers.Add("X-Internal-User", "admin");
        request.Headers.Add("x-internal-role", "root");
        request.Headers.Add("X-Other", "kept");
        using var response = await ingress.Client(port).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Route"), "the spoofed header must not select a route");
        Assert.DoesNotContain("x-internal", body);
        Assert.Contains("x-other=kept", body);
    }

    [Fact]
    public async Task Host_and_path_prefix_rewrites_reach_the_backend_with_the_query_kept()
    {
        await using var backend = await EchoAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("api", ("p", 1)) with
        {
            Match = Prefix("/api/v1"),
            Rewrite = new RewriteSnapshot { Host = "internal.example", PathPrefix = "/v1" },
        };
        var root = Route("root", ("p", 1)) with { Match = Prefix("/root"), Rewrite = new RewriteSnapshot { PathPrefix = "/" } };
        await ingress.ApplyAsync(Of(1, [Listener(port, route, root)], Pool("p", backend)));
        var client = ingress.Client(port);

        var rewritten = await client.GetStringAsync("/api/v1/orders/7?x=1&y=%20");
        var exact = await client.GetStringAsync("/api/v1");
        var toRoot = await client.GetStringAsync("/root/a/b");

        Assert.True(rewritten.Contains("path=/v1/orders/7?x=1&y=%20"), rewritten);
        Assert.Contains("host=internal.example", rewritten);
        Assert.Contains("path=/v1/orders/7?x=1&y=%20", rewritten);
        Assert.Contains($"x-forwarded-host=127.0.0.1:{port}", rewritten);
        Assert.Contains("path=/v1\n", exact + "\n");
        Assert.Contains("path=/a/b", toRoot);
        Assert.Contains($"host=127.0.0.1:{port}", toRoot); // no host rewrite: the client's Host goes through
    }

    [Fact]
    public async Task Regex_rewrite_replaces_the_path_through_capture_groups()
    {
        await using var backend = await EchoAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("users", ("p", 1)) with
        {
            Rewrite = new RewriteSnapshot { PathRegex = "^/users/([0-9]+)/profile$", PathSubstitution = "/profiles/$1" },
        };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));
        var client = ingress.Client(port);

        Assert.Contains("path=/profiles/42?full=1", await client.GetStringAsync("/users/42/profile?full=1"));
        Assert.Contains("path=/users/abc/profile", await client.GetStringAsync("/users/abc/profile"));
    }

    [Fact]
    public async Task Redirects_answer_with_the_configured_code_and_location_and_never_reach_a_backend()
    {
        await using var backend = await EchoAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var moved = Route("moved") with
        {
            Match = Prefix("/old"),
            Redirect = new RedirectSnapshot { Scheme = "https", Host = "new.example.com", PathPrefix = "/new", StatusCode = 301 },
        };
        var temporary = Route("temp") with { Match = new MatchSnapshot { PathKind = PathMatchKind.Exact, Path = "/t" }, Redirect = new RedirectSnapshot { Path = "/elsewhere", StatusCode = 307 } };
        var withPort = Route("port") with { Match = Prefix("/p"), Redirect = new RedirectSnapshot { Host = "other.example", Port = 8443, Scheme = "https", StatusCode = 308 } };
        await ingress.ApplyAsync(Of(1, [Listener(port, moved, temporary, withPort, Route("rest", ("p", 1)))], Pool("p", backend)));
        var client = ingress.Client(port);

        using var a = await client.GetAsync("/old/items/1?q=x%20y");
        using var b = await client.PostAsync("/t?k=v", new StringContent("body"));
        using var c = await client.GetAsync("/p/x");

        Assert.Equal(HttpStatusCode.MovedPermanently, a.StatusCode);
        Assert.Equal("https://new.example.com/new/items/1?q=x%20y", a.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, b.StatusCode);
        Assert.Equal($"http://127.0.0.1:{port}/elsewhere?k=v", b.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.PermanentRedirect, c.StatusCode);
        Assert.Equal("https://other.example:8443/p/x", c.Headers.Location!.OriginalString);
        Assert.Equal(0, backend.Requests);
    }
}
