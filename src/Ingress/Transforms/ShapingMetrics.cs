using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.Transforms;

/// <summary>The limits of request shaping a client can hit, counted by route (children cached per route).</summary>
public sealed class ShapingMetrics
{
    private static readonly PerRegistry<ShapingMetrics> ByRegistry = new(static r => new ShapingMetrics(Prometheus.Metrics.WithCustomRegistry(r), SeriesOwners.Of(r)));

    /// <summary>This folder's metrics in the host's registry, created once per registry (the host owns the registry; each folder owns its metrics).</summary>
    public static ShapingMetrics Of(CollectorRegistry registry) => ByRegistry.Of(registry);

    private ShapingMetrics(IMetricFactory factory, SeriesOwners series)
    {
        BodyTooLarge = series.Track(factory.CreateCounter("ballast_request_body_too_large_total",
            "Requests answered 413 because their body exceeded the route's maxRequestBodyBytes, by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
        TimedOut = series.Track(factory.CreateCounter("ballast_request_timeouts_total",
            "Requests given up because the route's whole-request timeout passed (504 when nothing was sent yet), by route.",
            new CounterConfiguration { LabelNames = ["route"] }));
    }

    public Counter BodyTooLarge { get; }
    public Counter TimedOut { get; }
}
