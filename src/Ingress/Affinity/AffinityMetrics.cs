using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.Affinity;

/// <summary>Counters of the affinity component, in the ingress's registry. Pool children are cached per pool view.</summary>
public sealed class AffinityMetrics
{
    public AffinityMetrics(IngressMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Repins = metrics.Series.Track(factory.CreateCounter("ballast_affinity_repins_total",
            "Clients moved to a new endpoint because their pinned endpoint was unhealthy, ejected or gone, by pool.",
            new CounterConfiguration { LabelNames = ["pool"] }));
        LocalDecisions = metrics.Series.Track(factory.CreateCounter("ballast_affinity_local_decisions_total",
            "Pins decided by this replica alone because the shared Redis was slow or unreachable, by pool.",
            new CounterConfiguration { LabelNames = ["pool"] }));
        TableLookups = metrics.Series.Track(factory.CreateCounter("ballast_affinity_table_lookups_total",
            "Affinity table lookups (Header and ClientIp affinity, HTTP and L4), by pool and result: local_hit (this replica's table), " +
            "shared_hit (found in Redis: pinned by another replica), miss (no usable pin: a new one was made).",
            new CounterConfiguration { LabelNames = ["pool", "result"] }));
    }

    public Counter Repins { get; }
    public Counter LocalDecisions { get; }
    public Counter TableLookups { get; }
}
