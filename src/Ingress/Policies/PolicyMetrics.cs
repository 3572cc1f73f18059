using Prometheus;

namespace Ballast.Ingress.Policies;

/// <summary>
/// Every limit a client can hit at the edge, counted: rate limits (by route), IP access refusals (by listener
/// or route) and circuit-breaker overflows (by pool and the limit that tripped). Children are cached by their
/// owners, never labelled per request.
/// </summary>
public sealed class PolicyMetrics
{
    public PolicyMetrics(MetricFactory factory)
    {
        RateLimited = factory.CreateCounter("ballast_rate_limited_total",
            "Requests answered 429 by a route's rate limit, by route.",
            new CounterConfiguration { LabelNames = ["route"] });
        AccessDenied = factory.CreateCounter("ballast_access_denied_total",
            "Requests answered 403 by an IP allow/deny list, by scope (listener:<name> or route:<id>).",
            new CounterConfiguration { LabelNames = ["scope"] });
        CircuitOpen = factory.CreateCounter("ballast_circuit_breaker_rejected_total",
            "Requests refused with 503 at once because a pool's circuit-breaker limit was reached, by pool and limit.",
            new CounterConfiguration { LabelNames = ["pool", "limit"] });
    }

    public Counter RateLimited { get; }
    public Counter AccessDenied { get; }
    public Counter CircuitOpen { get; }
}
