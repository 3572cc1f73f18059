using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>Weight arithmetic shared by the weighted algorithms.</summary>
internal static class Weights
{
    /// <summary>The effective weight, at least 1: the configured weight × 10, scaled down while the endpoint is in
    /// slow start (see <see cref="EndpointState.EffectiveWeight"/>; the pool rebuilds its balancer at every step).
    /// A weight of 0 or less never reaches a balancer as "no traffic" (the compiler rejects it); treating it as 1
    /// keeps every available endpoint reachable.</summary>
    public static int Of(EndpointState endpoint) => Math.Max(1, endpoint.EffectiveWeight);

    /// <summary>Weights divided by their greatest common divisor (2:4:6 behaves as 1:2:3 with a shorter cycle).</summary>
    public static int[] Reduced(ImmutableArray<EndpointState> endpoints)
    {
        var weights = new int[endpoints.Length];
        var gcd = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Of(endpoints[i]);
            gcd = Gcd(gcd, weights[i]);
        }

        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= gcd;
        }

        return weights;
    }

    public static long Sum(int[] weights)
    {
        long sum = 0;
        foreach (var w in weights)
        {
            sum += w;
        }

        return sum;
    }

    public static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
