using Prometheus;

namespace Ballast.Ingress.Metrics;

/// <summary>
/// The proxy's core Prometheus metrics (requests, reloads, listeners) and the registry every folder creates its
/// own metrics in (<c>PolicyMetrics.Of(registry)</c>, <c>HealthMetrics</c>, …: this class builds none of them),
/// one per host, so in-process tests do not share counters. Hot-path code never calls <c>WithLabels</c> per
/// request: routes, pools and endpoints cache their labelled children (see <c>Runtime/RouteMetrics</c>).
/// </summary>
public sealed class IngressMetrics
{
    public IngressMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Series = SeriesOwners.Of(Registry);
        Requests = Series.Track(factory.CreateCounter("ballast_requests_total",
            "Requests proxied, by route, pool, endpoint and status class (1xx..5xx).",
            new CounterConfiguration { LabelNames = ["route", "pool", "endpoint", "code"] }));
        RequestDuration = Series.Track(factory.CreateHistogram("ballast_request_duration_seconds",
            "Time from choosing an endpoint to the end of the proxied response, by route.",
            new HistogramConfiguration
            {
                LabelNames = ["route"],
                Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            }));
        InFlight = factory.CreateGauge("ballast_requests_in_flight", "Requests currently being proxied.");
        NoEndpoint = Series.Track(factory.CreateCounter("ballast_no_endpoint_total",
            "Requests answered 503 because the chosen pool had no available endpoint, by pool.",
            new CounterConfiguration { LabelNames = ["pool"] }));
        NoRoute = Series.Track(factory.CreateCounter("ballast_no_route_total",
            "Requests answered 404 because no route matched, by listener.",
            new CounterConfiguration { LabelNames = ["listener"] }));
        SnapshotVersion = factory.CreateGauge("ballast_snapshot_version", "Version of the snapshot being served.");
        Reloads = factory.CreateCounter("ballast_reloads_total", "Snapshots applied successfully.");
        FailedReloads = factory.CreateCounter("ballast_reload_failures_total",
            "Configuration changes rejected (diagnostic errors); the last good snapshot kept serving.");
        Listeners = factory.CreateGauge("ballast_listeners", "Listeners the current snapshot names.");
        UnsupportedAnnotations = factory.CreateGauge("ballast_unsupported_annotations",
            "ingress-nginx annotations of served Ingresses that Ballast does not apply (1 per Ingress and annotation; standalone mode).",
            new GaugeConfiguration { LabelNames = ["ingress", "annotation"] });
    }

    public CollectorRegistry Registry { get; }
    /// <summary>Which series name which route, pool, endpoint or listener; removes them when those are retired.</summary>
    public SeriesOwners Series { get; }
    public Counter Requests { get; }
    public Histogram RequestDuration { get; }
    public Gauge InFlight { get; }
    public Counter NoEndpoint { get; }
    public Counter NoRoute { get; }
    public Gauge SnapshotVersion { get; }
    /// <summary>Set from each accepted configuration: which Ingress carries which unsupported annotation.</summary>
    public Gauge UnsupportedAnnotations { get; }

    /// <summary>Replaces the unsupported-annotation series with the given (ingress, annotation) pairs.</summary>
    public void SetUnsupportedAnnotations(IEnumerable<(string Ingress, string Annotation)> pairs)
    {
        var current = pairs.ToHashSet();
        foreach (var labels in UnsupportedAnnotations.GetAllLabelValues().ToList())
            if (!current.Contains((labels[0], labels[1]))) UnsupportedAnnotations.RemoveLabelled(labels);
        foreach (var (ingress, annotation) in current) UnsupportedAnnotations.WithLabels(ingress, annotation).Set(1);
    }
    public Counter Reloads { get; }
    public Counter FailedReloads { get; }
    public Gauge Listeners { get; }
}
