using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Least response time, as Finagle and Linkerd do it: cost = peak-EWMA latency × (in-flight + 1), the latency
/// decaying with time (see EndpointState.Latency.cs) so a slow endpoint that recovers is tried again and wins
/// its traffic back. An endpoint never measured costs 0 while idle (it gets probed) and a large penalty while it
/// has requests in flight (so a new endpoint is not flooded before its first answer).
/// Up to <see cref="ExactScanLimit"/> endpoints every cost is compared (from a random offset, so ties spread);
/// beyond that, power of two choices over the costs (Finagle's choice: O(1), two exponentials per pick instead
/// of n). Weights are not used: measured latency is the capacity signal.
/// </summary>
internal sealed class LeastResponseTimeBalancer : ILoadBalancer
{
    internal const int ExactScanLimit = 16;

    /// <summary>Cost of an unmeasured endpoint with requests in flight (ticks): ~100 s, worse than any measured one.</summary>
    private const double UnmeasuredPenalty = 1e9;

    private readonly EndpointState[] _endpoints;
    private readonly TimeProvider _clock;
    private readonly Random _random;

    public LeastResponseTimeBalancer(ImmutableArray<EndpointState> endpoints, Random random, TimeProvider clock)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _random = random;
        _clock = clock;
        foreach (var endpoint in endpoints)
        {
            endpoint.Latency.Clock = clock;
        }
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var endpoints = _endpoints;
        var avoid = endpoints.Length > 1 ? context.Avoid : null;
        var now = _clock.GetTimestamp();
        if (endpoints.Length > ExactScanLimit)
        {
            return TwoChoices(endpoints, avoid, now);
        }

        var start = _random.Next(endpoints.Length);
        EndpointState? best = null;
        var bestCost = double.MaxValue;
        for (var n = 0; n < endpoints.Length; n++)
        {
            var i = start + n;
            var candidate = endpoints[i < endpoints.Length ? i : i - endpoints.Length];
            if (ReferenceEquals(candidate, avoid))
            {
                continue;
            }

            var cost = Cost(candidate, now);
            if (best is null || cost < bestCost)
            {
                best = candidate;
                bestCost = cost;
            }
        }

        return best;
    }

    private EndpointState TwoChoices(EndpointState[] endpoints, EndpointState? avoid, long now)
    {
        EndpointState a, b;
        do
        {
            a = endpoints[_random.Next(endpoints.Length)];
        }
        while (ReferenceEquals(a, avoid)); // > 16 endpoints: a redraw is rare (≤ 1/17)

        do
        {
            b = endpoints[_random.Next(endpoints.Length)];
        }
        while (ReferenceEquals(b, a) || ReferenceEquals(b, avoid));

        return Cost(b, now) < Cost(a, now) ? b : a;
    }

    private static double Cost(EndpointState endpoint, long now)
    {
        var inFlight = Math.Max(0, endpoint.Load.InFlight);
        var latency = endpoint.Latency.Estimate(now);
        if (latency == 0)
        {
            return inFlight == 0 ? 0 : UnmeasuredPenalty + inFlight;
        }

        return latency * (inFlight + 1);
    }
}
