using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.Runtime;

/// <summary>What became of mirrored copies (Gateway API RequestMirror), by route, mirror pool and result.</summary>
public sealed class MirrorMetrics
{
    private static readonly PerRegistry<MirrorMetrics> ByRegistry = new(static r => new MirrorMetrics(Prometheus.Metrics.WithCustomRegistry(r), SeriesOwners.Of(r)));

    /// <summary>This folder's mirror metrics in the host's registry, created once per registry.</summary>
    public static MirrorMetrics Of(CollectorRegistry registry) => ByRegistry.Of(registry);

    private MirrorMetrics(IMetricFactory factory, SeriesOwners series)
    {
        Requests = series.Track(factory.CreateCounter("ballast_mirror_requests_total",
            "Copies of requests for a RequestMirror, by route, mirror pool and result: answered, failed (no response), " +
            "dropped_busy (too many copies in flight), dropped_body (a body a copy does not carry), no_endpoint.",
            new CounterConfiguration { LabelNames = ["route", "pool", "result"] }));
    }

    public Counter Requests { get; }
}
