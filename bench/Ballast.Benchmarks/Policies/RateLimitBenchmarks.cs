using System.Net;
using Ballast.Ingress.Policies.RateLimiting;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Ballast.Benchmarks.Policies;

/// <summary>
/// Cost of one local rate-limit check (<see cref="LocalRateLimiter.TryAcquire"/>) per key kind, over 1,024
/// distinct clients (already seen, as in steady state), reported per check. <c>Admitted</c>: a budget that never
/// runs out; otherwise every check is refused (the 429 path before the response is written).
/// </summary>
[MemoryDiagnoser]
public class RateLimitBenchmarks
{
    private const int Checks = 1024;

    private LocalRateLimiter _limiter = null!;
    private HttpContext[] _contexts = null!;

    [Params(RateLimitKey.ClientIp, RateLimitKey.Header, RateLimitKey.Route)]
    public RateLimitKey Key { get; set; }

    [Params(true, false)]
    public bool Admitted { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var limit = Admitted ? 1_000_000 : 1;
        _limiter = new LocalRateLimiter(new RateLimitSnapshot
        {
            Limit = limit,
            Period = Admitted ? TimeSpan.FromSeconds(1) : TimeSpan.FromDays(1),
            Burst = Admitted ? 10_000_000 : 1,
            Key = Key,
            HeaderName = "X-Api-Key",
        }, TimeProvider.System);
        _contexts = new HttpContext[Checks];
        for (var i = 0; i < Checks; i++)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = new IPAddress([10, 0, (byte)(i >> 8), (byte)i]);
            context.Request.Headers["X-Api-Key"] = "key-" + i;
            _contexts[i] = context;
        }
        Run(); // every key seen once: the steady state
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int Run()
    {
        var passed = 0;
        foreach (var context in _contexts)
        {
            if (_limiter.TryAcquire(context, out _)) passed++;
        }
        return passed;
    }
}
