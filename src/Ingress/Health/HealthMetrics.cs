using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.Health;

/// <summary>The per-endpoint state names exported as the <c>state</c> label.</summary>
public static class EndpointStateNames
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Ejected = "ejected";
    public const string Draining = "draining";
    public const string BackupActive = "backup-active";

    public static readonly ImmutableArray<string> All = [Healthy, Unhealthy, Ejected, Draining, BackupActive];

    /// <summary>The one state an endpoint is in, given how its pool is serving.</summary>
    public static string Of(EndpointState endpoint, AvailabilityMode mode)
    {
        if (endpoint.IsDraining)
        {
            return Draining;
        }

        if (endpoint.Health.IsEjected)
        {
            return Ejected;
        }

        if (!endpoint.Health.IsActiveHealthy)
        {
            return Unhealthy;
        }

        return endpoint.IsBackup && mode == AvailabilityMode.Backup ? BackupActive : Healthy;
    }
}

/// <summary>
/// Health and retry metrics: <c>ballast_endpoint_state{pool,endpoint,state}</c> is 1 for the state each endpoint
/// is in and 0 for the others (so <c>sum by (state)</c> counts endpoints per state), plus transition, retry, replay and
/// retry-limit counters. Updated off the hot path (on transitions and reloads), except the retry counters,
/// whose labelled children the routes cache.
/// </summary>
public sealed class HealthMetrics
{
    private readonly SeriesOwners _series;

    public HealthMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _series = SeriesOwners.Of(registry);
        EndpointState = _series.Track(factory.CreateGauge("ballast_endpoint_state",
            "1 for the state each endpoint is in (healthy, unhealthy, ejected, draining, backup-active), 0 for the others.",
            new GaugeConfiguration { LabelNames = ["pool", "endpoint", "state"] }));
        Transitions = _series.Track(factory.CreateCounter("ballast_endpoint_transitions_total",
            "Endpoint health transitions, by pool, endpoint and change (ActiveDown, ActiveUp, Ejected, Returned, DrainStarted, DrainFinished).",
            new CounterConfiguration { LabelNames = ["pool", "endpoint", "change"] }));
        PoolMode = _series.Track(factory.CreateGauge("ballast_pool_panic",
            "1 while the pool is in panic mode (fewer healthy endpoints than its panic threshold), by pool.",
            new GaugeConfiguration { LabelNames = ["pool"] }));
        Retries = _series.Track(factory.CreateCounter("ballast_retries_total",
            "Retries sent (extra attempts to another endpoint after one that reached a backend and failed; each takes one of retries.attempts and the retry budget), by route. Replays are in ballast_replays_total.",
            new CounterConfiguration { LabelNames = ["route"] }));
        Replays = _series.Track(factory.CreateCounter("ballast_replays_total",
            "Replays sent (extra attempts to an endpoint not tried yet after one that reached no backend: no connection, or a reset before any response byte of a request safe to resend; outside retries.attempts and the retry budget), by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        RetryBudgetExhausted = _series.Track(factory.CreateCounter("ballast_retry_budget_exhausted_total",
            "Retries refused because the route's retry budget was spent, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        RetryTotalTimeoutPassed = _series.Track(factory.CreateCounter("ballast_retry_total_timeout_passed_total",
            "Replays and retries not sent because the route's retries.totalTimeout had passed since the request's first attempt, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
    }

    public Gauge EndpointState { get; }
    public Counter Transitions { get; }
    public Gauge PoolMode { get; }
    public Counter Retries { get; }
    public Counter RetryBudgetExhausted { get; }
    public Counter Replays { get; }
    public Counter RetryTotalTimeoutPassed { get; }

    /// <summary>Sets the state series of every endpoint of a pool.</summary>
    public void Publish(string pool, ImmutableArray<EndpointState> endpoints, AvailabilityMode mode)
    {
        foreach (var endpoint in endpoints)
        {
            var current = EndpointStateNames.Of(endpoint, mode);
            foreach (var state in EndpointStateNames.All)
            {
                EndpointState.WithLabels(pool, endpoint.Id, state).Set(state == current ? 1 : 0);
            }
        }

        PoolMode.WithLabels(pool).Set(mode == AvailabilityMode.Panic ? 1 : 0);
    }

    /// <summary>
    /// The endpoint left the pool and finished draining: every series naming it goes (requests, transitions,
    /// state, L4 bytes …; see <see cref="SeriesOwners"/>), not only the health ones.
    /// </summary>
    public void Retire(string pool, EndpointState endpoint) => _series.RemoveEndpoint(pool, endpoint.Id);

    /// <summary>Drops an endpoint's state series (its pool stopped watching it).</summary>
    public void Forget(string pool, EndpointState endpoint)
    {
        foreach (var state in EndpointStateNames.All)
        {
            EndpointState.RemoveLabelled(pool, endpoint.Id, state);
        }
    }

    public void ForgetPool(string pool) => PoolMode.RemoveLabelled(pool);
}
