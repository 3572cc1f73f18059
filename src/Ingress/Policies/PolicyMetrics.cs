using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.Policies;

/// <summary>
/// Every limit a client can hit at the edge, counted: rate limits (by route), IP access refusals (by listener
/// or route) and circuit-breaker overflows (by pool and the limit that tripped). Children are cached by their
/// owners, never labelled per request.
/// </summary>
public sealed class PolicyMetrics
{
    private static readonly PerRegistry<PolicyMetrics> ByRegistry = new(static r => new PolicyMetrics(Prometheus.Metrics.WithCustomRegistry(r), SeriesOwners.Of(r)));

    /// <summary>This folder's metrics in the host's registry, created once per registry (the host owns the registry; each folder owns its metrics).</summary>
    public static PolicyMetrics Of(CollectorRegistry registry) => ByRegistry.Of(registry);

    private PolicyMetrics(IMetricFactory factory, SeriesOwners series)
    {
        RateLimited = series.Track(factory.CreateCounter("ballast_rate_limited_total",
            "Requests answered 429 by a route's rate limit, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        AccessDenied = series.Track(factory.CreateCounter("ballast_access_denied_total",
            "Requests answered 403 by an IP allow/deny list, by scope (listener:<name> or route:<id>).",
            new CounterConfiguration { LabelNames = ["scope"] }));
        RateLimitDegraded = series.Track(factory.CreateCounter("ballast_rate_limit_degraded_total",
            "Global rate-limit decisions made on the replica's local share (limit ÷ replicas) because Redis was unreachable, slow or not configured, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        AuthFailures = series.Track(factory.CreateCounter("ballast_auth_failures_total",
            "Requests refused by a route's authentication (never forwarded), by route, kind (jwt, apikey, basic, external) and reason (missing, invalid, unavailable, denied).",
            new CounterConfiguration { LabelNames = ["route", "kind", "reason"] }));
        AuthFailOpen = series.Track(factory.CreateCounter("ballast_auth_fail_open_total",
            "Requests admitted without an answer from the external auth service because the route sets failOpen, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        CircuitOpen = series.Track(factory.CreateCounter("ballast_circuit_breaker_rejected_total",
            "Requests refused with 503 at once because a pool's circuit-breaker limit was reached, by pool and limit.",
            new CounterConfiguration { LabelNames = ["pool", "limit"] }));
    }

    public Counter RateLimited { get; }
    public Counter AccessDenied { get; }
    public Counter CircuitOpen { get; }
    public Counter RateLimitDegraded { get; }
    public Counter AuthFailures { get; }
    public Counter AuthFailOpen { get; }
}
