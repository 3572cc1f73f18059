using Ballast.Ingress.Transforms;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Ballast.Benchmarks.Policies;

/// <summary>
/// Per-request cost of the shaping steps that run on every request of a listener or route that has them: the
/// internal-header-prefix walk over a typical request (eight headers, none internal: the steady state), and
/// the path rewrites (prefix and NonBacktracking regex), which allocate the new path.
/// </summary>
[MemoryDiagnoser]
public class ShapingBenchmarks
{
    private readonly HeaderPrefixStripper _stripper = HeaderPrefixStripper.Create(["X-Internal-", "X-Ballast-"])!;
    private readonly RequestRewrite _prefix = RequestRewrite.Create(new RouteSnapshot
    {
        Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/api/v1" },
        Rewrite = new RewriteSnapshot { PathPrefix = "/v1" },
    })!;
    private readonly RequestRewrite _regex = RequestRewrite.Create(new RouteSnapshot
    {
        Rewrite = new RewriteSnapshot { PathRegex = "^/users/([0-9]+)/profile$", PathSubstitution = "/profiles/$1" },
    })!;
    private readonly IHeaderDictionary _headers = new HeaderDictionary
    {
        ["Host"] = "shop.example.com",
        ["User-Agent"] = "bench/1.0",
        ["Accept"] = "*/*",
        ["Accept-Encoding"] = "gzip",
        ["Cookie"] = "a=b",
        ["X-Request-ID"] = "abc",
        ["X-Forwarded-For"] = "10.0.0.1",
        ["Authorization"] = "Bearer x",
    };

    [Benchmark]
    public int StripNoInternalHeader() => _stripper.Strip(_headers);

    [Benchmark]
    public string PrefixRewrite() => _prefix.RewritePath("/api/v1/orders/42");

    [Benchmark]
    public string RegexRewrite() => _regex.RewritePath("/users/42/profile");
}
