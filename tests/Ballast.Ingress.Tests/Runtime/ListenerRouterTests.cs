using Ballast.Ingress.Metrics;
using Ballast.Ingress.Routing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Runtime;

/// <summary>The routing matrix, on the compiled router directly (no sockets needed to decide a route).</summary>
public sealed class ListenerRouterTests
{
    private static readonly IngressMetrics Metrics = new();

    private static ListenerRouter Router(params RouteSnapshot[] routes)
    {
        var listener = new ListenerSnapshot { Name = "l", Port = 80, Routes = [.. routes] };
        var pools = new Dictionary<string, PoolRuntime>();
        return new ListenerRouter(listener, [.. routes.Select(r => new RouteRuntime(r, pools, Metrics))], Metrics.NoRoute.WithLabels("l"));
    }

    private static RouteSnapshot R(string id, MatchSnapshot match) => new() { Id = id, Match = match };

    private static HttpRequest Request(string host, string path, string method = "GET", string query = "", params (string, string)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in headers) context.Request.Headers.Append(name, value);
        return context.Request;
    }

    private static string? Match(ListenerRouter router, HttpRequest request) => router.Match(request)?.Id;

    [Theory]
    [InlineData("shop.example.com", "exact")]
    [InlineData("SHOP.example.com:8080", "exact")]
    [InlineData("shop.example.com.", "exact")]
    [InlineData("api.example.com", "wildcard")]
    [InlineData("a.b.example.com", "wildcard")]
    [InlineData("x.deep.example.com", "deep-wildcard")]
    [InlineData("example.com", "any")]
    [InlineData("other.org", "any")]
    [InlineData("[::1]:80", "any")]
    public void The_most_specific_host_wins(string host, string expected)
    {
        var router = Router(
            R("any", new MatchSnapshot()),
            R("wildcard", new MatchSnapshot { Hosts = ["*.example.com"] }),
            R("deep-wildcard", new MatchSnapshot { Hosts = ["*.deep.example.com"] }),
            R("exact", new MatchSnapshot { Hosts = ["shop.example.com"] }));

        Assert.Equal(expected, Match(router, Request(host, "/")));
    }

    [Fact]
    public void A_host_group_without_a_matching_route_falls_through_to_less_specific_hosts()
    {
        var router = Router(
            R("exact-api", new MatchSnapshot { Hosts = ["shop.example.com"], PathKind = PathMatchKind.Prefix, Path = "/api" }),
            R("any", new MatchSnapshot()));

        Assert.Equal("exact-api", Match(router, Request("shop.example.com", "/api/x")));
        Assert.Equal("any", Match(router, Request("shop.example.com", "/web")));
    }

    [Theory]
    [InlineData("/exact", "exact")]
    [InlineData("/exact/", "prefix-root")]
    [InlineData("/api", "prefix")]
    [InlineData("/api/orders", "prefix")]
    [InlineData("/apix", "prefix-root")]
    [InlineData("/items/42", "regex")]
    [InlineData("/items/abc", "prefix-root")]
    [InlineData("/items/42/more", "prefix-root")]
    public void Paths_match_exactly_by_segment_prefix_or_by_anchored_regex(string path, string expected)
    {
        // In the order the Compiler emits: exact, regex, longer prefix, shorter prefix.
        var router = Router(
            R("exact", new MatchSnapshot { PathKind = PathMatchKind.Exact, Path = "/exact" }),
            R("regex", new MatchSnapshot { PathKind = PathMatchKind.Regex, Path = "/items/[0-9]+" }),
            R("prefix", new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/api" }),
            R("prefix-root", new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/" }));

        Assert.Equal(expected, Match(router, Request("h", path)));
    }

    [Fact]
    public void Methods_headers_and_query_narrow_a_route_and_the_more_specific_route_wins()
    {
        var router = Router(
            R("post-gold", new MatchSnapshot
            {
                PathKind = PathMatchKind.Prefix,
                Path = "/api",
                Methods = ["POST"],
                Headers = [new ValueMatchSnapshot("X-Tenant", ValueMatchKind.Exact, "gold")],
            }),
            R("beta-query", new MatchSnapshot
            {
                PathKind = PathMatchKind.Prefix,
                Path = "/api",
                Query = [new ValueMatchSnapshot("beta", ValueMatchKind.Regex, "on|yes")],
            }),
            R("has-debug", new MatchSnapshot
            {
                PathKind = PathMatchKind.Prefix,
                Path = "/api",
                Headers = [new ValueMatchSnapshot("X-Debug", ValueMatchKind.Present, "")],
            }),
            R("api", new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/api" }));

        Assert.Equal("post-gold", Match(router, Request("h", "/api/o", "POST", headers: ("X-Tenant", "gold"))));
        // Methods match case-sensitively (RFC 9110 §9.1; README changelog): "post" is not POST. Header names do not.
        Assert.Equal("api", Match(router, Request("h", "/api/o", "post", headers: ("x-tenant", "gold"))));
        Assert.Equal("post-gold", Match(router, Request("h", "/api/o", "POST", headers: ("x-tenant", "gold"))));
        Assert.Equal("api", Match(router, Request("h", "/api/o", "GET", headers: ("X-Tenant", "gold"))));
        Assert.Equal("api", Match(router, Request("h", "/api/o", "POST", headers: ("X-Tenant", "Gold"))));
        Assert.Equal("beta-query", Match(router, Request("h", "/api/o", query: "?a=1&beta=yes")));
        Assert.Equal("api", Match(router, Request("h", "/api/o", query: "?beta=yesno")));
        Assert.Equal("has-debug", Match(router, Request("h", "/api/o", headers: ("X-Debug", "1"))));
        Assert.Null(Match(router, Request("h", "/web")));
    }
}
