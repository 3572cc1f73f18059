using System.Collections.Immutable;
using Ballast.Ingress.Routing;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Routing;

/// <summary>The indexed route table against the linear oracle, on random tables in random order (fixed seed).</summary>
public sealed class RouteIndexTests
{
    private static readonly string[] Hosts = ["a.com", "b.a.com", "*.a.com", "*.b.a.com", "c.org", "A.com."];
    private static readonly string[] RequestHosts = ["a.com", "A.COM:8080", "b.a.com", "x.b.a.com", "y.a.com", "a.com.", "c.org", "d.net", "[::1]:80", ""];
    private static readonly string[] Paths = ["/", "", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/b", "/b/", "/a//b"];
    private static readonly string[] Regexes = ["/a/[0-9]+", "/a.*", "/(a|b)/?", "/[a-z]+/b(/.*)?"];
    private static readonly string[] RequestPaths = [.. Paths, "/a/123", "/ab/c", "/a/b/c/d", "/b/a", "/c", "/a/b/", "/A"];
    private static readonly string[] Methods = ["GET", "POST", "PUT"];

    [Fact]
    public void The_index_picks_the_same_route_as_the_linear_scan_over_thousands_of_random_tables()
    {
        var random = new Random(12);
        // Regex construction dominates the test's time: tables draw from a fixed set of compiled matchers.
        var matchers = Enumerable.Range(0, 300).Select(_ => new RequestMatcher(RandomMatch(random))).ToArray();
        var compared = 0;
        var matched = 0;
        for (var table = 0; table < 2000; table++)
        {
            var routes = Enumerable.Range(0, random.Next(1, 25))
                .Select(i => (RandomHosts(random), matchers[random.Next(matchers.Length)], "r" + i))
                .ToList();
            var index = new RouteIndex<string>(routes);
            var oracle = new LinearRouteTable<string>(routes);
            for (var r = 0; r < 20; r++)
            {
                var request = RandomRequest(random);
                var expected = oracle.Match(request);
                Assert.True(expected == index.Match(request),
                    $"table {table}: {Describe(request)} → expected {expected ?? "none"}, got {index.Match(request) ?? "none"}; routes: "
                    + string.Join("; ", routes.Select(x => $"{x.Item3} [{string.Join(",", x.Item1)}] {x.Item2.PathKind} '{x.Item2.Path}'")));
                compared++;
                if (expected is not null) matched++;
            }
        }
        Assert.Equal(40_000, compared);
        Assert.InRange(matched, 10_000, 35_000); // the generator exercises both hits and misses
    }

    [Fact]
    public void A_lookup_in_ten_thousand_routes_allocates_nothing()
    {
        var routes = Enumerable.Range(0, 10_000)
            .Select(i => (ImmutableArray.Create(i % 2 == 0 ? "a.com" : "*.a.com"),
                new RequestMatcher(new MatchSnapshot { PathKind = i % 3 == 0 ? PathMatchKind.Exact : PathMatchKind.Prefix, Path = $"/svc{i}/x", Methods = ["GET"] }),
                "r" + i))
            .Append((ImmutableArray<string>.Empty, new RequestMatcher(new MatchSnapshot { PathKind = PathMatchKind.Regex, Path = "/svc[0-9]+/y" }), "regex"))
            .ToList();
        var index = new RouteIndex<string>(routes);
        var requests = new[] { Request("a.com", "/svc9998/x/z"), Request("b.a.com", "/svc9999/x"), Request("a.com", "/svc5/y"), Request("a.com", "/none") };
        foreach (var request in requests) index.Match(request); // warm up
        Assert.Equal(["r9998", "r9999", "regex", null], requests.Select(index.Match));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) index.Match(requests[i % requests.Length]);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static MatchSnapshot RandomMatch(Random random)
    {
        var kind = (PathMatchKind)random.Next(4);
        return new MatchSnapshot
        {
            PathKind = kind,
            Path = kind switch { PathMatchKind.Regex => Pick(random, Regexes), PathMatchKind.Any => "", _ => Pick(random, Paths) },
            Methods = random.Next(3) == 0 ? [Pick(random, Methods)] : [],
            Headers = random.Next(4) switch
            {
                0 => [new ValueMatchSnapshot("X-T", ValueMatchKind.Exact, "1")],
                1 => [new ValueMatchSnapshot("X-T", ValueMatchKind.Regex, "[12]")],
                2 => [new ValueMatchSnapshot("X-U", ValueMatchKind.Present, "")],
                _ => [],
            },
            Query = random.Next(5) == 0 ? [new ValueMatchSnapshot("q", ValueMatchKind.Exact, "x")] : [],
        };
    }

    private static ImmutableArray<string> RandomHosts(Random random) => random.Next(3) switch
    {
        0 => [],
        1 => [Pick(random, Hosts)],
        _ => [Pick(random, Hosts), Pick(random, Hosts)],
    };

    private static HttpRequest RandomRequest(Random random)
    {
        var request = Request(Pick(random, RequestHosts), Pick(random, RequestPaths), Pick(random, Methods));
        if (random.Next(2) == 0) request.Headers["X-T"] = random.Next(3).ToString();
        if (random.Next(3) == 0) request.Headers["X-U"] = "";
        if (random.Next(3) == 0) request.QueryString = new QueryString(random.Next(2) == 0 ? "?q=x" : "?q=y");
        return request;
    }

    private static HttpRequest Request(string host, string path, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Request.Method = method;
        return context.Request;
    }

    private static string Describe(HttpRequest r) => $"{r.Method} {r.Host}{r.Path}{r.QueryString} X-T={r.Headers["X-T"]} X-U={r.Headers["X-U"]}";

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
