using Ballast.Ingress.Tests.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Metrics;

/// <summary>Process and runtime metrics on the admin /metrics, beside Ballast's own: CPU, memory, GC, thread pool.</summary>
[Trait("Category", "Integration")]
public sealed class RuntimeMetricsTests
{
    /// <summary>One series per concern users look for first; what each must at least be.</summary>
    public static readonly (string Series, double AtLeast)[] Expected =
    [
        ("process_cpu_seconds_total", 0),          // CPU
        ("process_working_set_bytes", 1 << 20),    // memory
        ("dotnet_total_memory_bytes", 1),          // managed heap
        ("dotnet_collection_count_total{generation=\"0\"}", 0), // GC
        // The runtime's System.Runtime meter, named by prometheus-net's adapter after meter and instrument.
        ("system_runtime_dotnet_gc_heap_total_allocated", 1),
        ("system_runtime_dotnet_gc_pause_time", 0),
        ("system_runtime_dotnet_thread_pool_thread_count", 1),    // thread pool
        ("system_runtime_dotnet_thread_pool_queue_length", 0),
        ("system_runtime_dotnet_thread_pool_work_item_count", 0),
    ];

    [Fact]
    public async Task The_admin_scrape_has_process_and_runtime_metrics_beside_ballasts()
    {
        await using var ingress = await IngressFixture.StartAsync();
        var text = await ingress.MetricsAsync();
        Assert.NotNull(PrometheusScrape.Value(text, "ballast_reload_failures_total"));
        foreach (var (series, atLeast) in Expected)
        {
            var value = PrometheusScrape.Value(text, series);
            Assert.True(value >= atLeast, $"{series}: {value?.ToString() ?? "missing"} (want at least {atLeast})\n{string.Join("\n", PrometheusScrape.SampleNames(text).Where(n => !n.StartsWith("ballast_", StringComparison.Ordinal)).Order())}");
        }
    }
}
