using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>Endpoint sets and pick statistics for the balancer tests.</summary>
internal static class Pool
{
    public static ImmutableArray<EndpointState> Of(params int[] weights) =>
        [.. weights.Select((w, i) => new EndpointState(new EndpointSnapshot { Host = $"10.0.{i / 250}.{i % 250 + 1}", Port = 8080, Weight = w }))];

    public static ImmutableArray<EndpointState> Uniform(int count) => Of([.. Enumerable.Repeat(1, count)]);

    public static ILoadBalancer Build(LoadBalancingAlgorithm algorithm, ImmutableArray<EndpointState> endpoints, int seed = 42, TimeProvider? time = null) =>
        LoadBalancerRegistry.Create(endpoints, new LoadBalancingSnapshot { Algorithm = algorithm }, new Random(seed), time);

    /// <summary>How many of <paramref name="picks"/> went to each endpoint (by index in the set).</summary>
    public static int[] Count(ILoadBalancer balancer, int picks, Func<int, PickContext>? context = null)
    {
        var index = balancer.Endpoints.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => p.i);
        var counts = new int[balancer.Endpoints.Length];
        for (var i = 0; i < picks; i++)
        {
            var chosen = balancer.Pick(context?.Invoke(i) ?? PickContext.None) ?? throw new InvalidOperationException("null pick");
            counts[index[chosen]]++;
        }

        return counts;
    }

    /// <summary>A well-mixed 64-bit key hash for simulated client <paramref name="i"/>.</summary>
    public static ulong Key(int i) => System.IO.Hashing.XxHash3.HashToUInt64(BitConverter.GetBytes(i));

    public static PickContext KeyContext(int i) => new(Key(i));

    /// <summary>
    /// Picks with requests kept in flight: each pick starts a request on the chosen endpoint and, once more than
    /// <paramref name="concurrency"/> are in flight, a random one of them finishes (equal service times), so the
    /// load-aware algorithms see realistic counters. Returns picks per endpoint; leaves no request in flight.
    /// </summary>
    public static int[] Simulate(ILoadBalancer balancer, int picks, int concurrency, int seed = 7, Func<int, PickContext>? context = null,
        Action<EndpointState>? afterStart = null)
    {
        var random = new Random(seed);
        var index = balancer.Endpoints.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => p.i);
        var counts = new int[balancer.Endpoints.Length];
        var inFlight = new List<EndpointState>();
        for (var i = 0; i < picks; i++)
        {
            var chosen = balancer.Pick(context?.Invoke(i) ?? PickContext.None) ?? throw new InvalidOperationException("null pick");
            counts[index[chosen]]++;
            chosen.OnRequestStarted();
            inFlight.Add(chosen);
            afterStart?.Invoke(chosen);
            if (inFlight.Count > concurrency)
            {
                var done = random.Next(inFlight.Count);
                inFlight[done].OnRequestFinished(TimeSpan.FromMilliseconds(1));
                inFlight[done] = inFlight[^1];
                inFlight.RemoveAt(inFlight.Count - 1);
            }
        }

        foreach (var endpoint in inFlight)
        {
            endpoint.OnRequestFinished(TimeSpan.FromMilliseconds(1));
        }

        return counts;
    }

    /// <summary>Asserts each endpoint's share is within ±<paramref name="points"/> percentage points of its weight share.</summary>
    public static void AssertShares(int[] counts, ImmutableArray<EndpointState> endpoints, double points = 2.0)
    {
        double total = counts.Sum();
        double weightSum = endpoints.Sum(e => e.Weight);
        for (var i = 0; i < counts.Length; i++)
        {
            var expected = 100.0 * endpoints[i].Weight / weightSum;
            var actual = 100.0 * counts[i] / total;
            Assert.True(Math.Abs(expected - actual) <= points,
                $"endpoint {i} (weight {endpoints[i].Weight}): {actual:F2}% of picks, expected {expected:F2}% ± {points}");
        }
    }
}
