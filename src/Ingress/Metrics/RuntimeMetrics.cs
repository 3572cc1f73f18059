using Prometheus;

namespace Ballast.Ingress.Metrics;

/// <summary>
/// Process and runtime metrics on the same scrape as ours: prometheus-net's process collector (the
/// conventional <c>process_cpu_seconds_total</c>, <c>process_working_set_bytes</c>, open handles, threads,
/// <c>dotnet_collection_count_total</c>, <c>dotnet_total_memory_bytes</c>) and the runtime's own
/// <c>System.Runtime</c> meter (GC heap, pauses and allocations, thread pool threads, queue and completed items,
/// lock contention, JIT) as <c>system_runtime_dotnet_*</c> (the adapter prefixes the meter's name). Both are
/// read when scraped, nothing runs per request.
/// </summary>
public static class RuntimeMetrics
{
    /// <summary>The meter the .NET runtime publishes its own metrics on (.NET 9 and later).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Adds both to <paramref name="registry"/>; dispose the result to stop listening to the runtime meter.</summary>
    /// <param name="alsoExport">Other meters to put on the same scrape (the operator's <c>Ballast.*</c>).</param>
    public static IDisposable Export(CollectorRegistry registry, Func<string, bool>? alsoExport = null)
    {
        DotNetStats.Register(registry);
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == RuntimeMeter || alsoExport?.Invoke(instrument.Meter.Name) == true,
        });
    }
}
