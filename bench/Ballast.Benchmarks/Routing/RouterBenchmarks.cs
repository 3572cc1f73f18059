using Ballast.Ingress.Metrics;
using Ballast.Ingress.Routing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Ballast.Benchmarks.Routing;

/// <summary>
/// One route lookup on a listener of 1, 100 or 10,000 routes, shaped as bench/run's route-table scenario:
/// prefix routes <c>/svcN/</c> plus a catch-all <c>/</c>, the request asking for the last <c>/svcN/</c> route
/// (the worst case for a scan). <c>Indexed</c> is <see cref="ListenerRouter"/>; <c>LinearScan</c> is the
/// first-match walk it replaced (the baseline).
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private ListenerRouter _router = null!;
    private RouteRuntime[] _routes = null!;
    private HttpRequest _request = null!;

    [Params(1, 100, 10_000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new IngressMetrics();
        var snapshots = Enumerable.Range(0, Routes - 1)
            .Select(i => new RouteSnapshot { Id = $"svc{i}", Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = $"/svc{i}/" } })
            .Append(new RouteSnapshot { Id = "all", Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/" } })
            .ToArray();
        var pools = new Dictionary<string, PoolRuntime>();
        _routes = [.. snapshots.Select(r => new RouteRuntime(r, pools, metrics))];
        _router = new ListenerRouter(new ListenerSnapshot { Name = "bench", Port = 80, Routes = [.. snapshots] }, _routes, metrics.NoRoute.WithLabels("bench"));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("bench.example.com");
        context.Request.Method = "GET";
        context.Request.Path = Routes > 1 ? $"/svc{Routes - 2}/x" : "/";
        _request = context.Request;
    }

    [Benchmark(Baseline = true)]
    public RouteRuntime? LinearScan()
    {
        foreach (var route in _routes)
        {
            if (route.Matcher.Matches(_request)) return route;
        }
        return null;
    }

    [Benchmark]
    public RouteRuntime? Indexed() => _router.Match(_request);
}
