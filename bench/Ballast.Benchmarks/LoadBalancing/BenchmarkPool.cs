using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Benchmarks.LoadBalancing;

/// <summary>A pool as a busy proxy would see it: weights 1–4, every endpoint with 1–10 requests in flight (so the
/// O(n) scans cannot stop early at an idle endpoint) and a latency estimate.</summary>
internal static class BenchmarkPool
{
    public static ImmutableArray<EndpointState> Create(int count, int seed = 1)
    {
        var random = new Random(seed);
        var endpoints = Enumerable.Range(0, count)
            .Select(i => new EndpointState(new EndpointSnapshot { Host = $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", Port = 8080, Weight = 1 + i % 4 }))
            .ToImmutableArray();
        foreach (var endpoint in endpoints)
        {
            var load = random.Next(1, 11);
            for (var r = 0; r < load; r++)
            {
                endpoint.OnRequestStarted();
            }

            endpoint.OnRequestStarted();
            endpoint.OnRequestFinished(TimeSpan.FromMilliseconds(random.Next(1, 50)));
        }

        return endpoints;
    }
}
