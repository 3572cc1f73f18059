using Prometheus;

namespace Ballast.Operator.Metrics;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text format) on the metrics listener only. A port of its own, not the
/// snapshot port, so a NetworkPolicy can open the snapshot port to ingress pods and the metrics port to the
/// monitoring namespace, and an unauthenticated scrape never shares a port with the token-protected snapshots.
/// </summary>
public static class MetricsEndpoint
{
    /// <param name="isMetricsPort">Whether a connection's local port is the metrics listener's (known once bound).</param>
    public static void Map(WebApplication app, OperatorMetrics metrics, Func<int, bool> isMetricsPort)
    {
        app.MapGet("/metrics", async (HttpContext ctx) =>
        {
            if (!isMetricsPort(ctx.Connection.LocalPort))
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted);
        });
    }

    /// <summary>
    /// Exports the process's System.Diagnostics.Metrics meters named <c>Ballast.*</c> (ACME certificates, for
    /// instance) into <paramref name="metrics"/>' registry, so they appear on the same scrape; beside them the
    /// process and runtime metrics, as the ingress exports them (docs/operations.md): prometheus-net's process
    /// collector (<c>process_cpu_seconds_total</c>, <c>process_working_set_bytes</c>, …) and the runtime's
    /// <c>System.Runtime</c> meter (GC, thread pool, …, as <c>system_runtime_dotnet_*</c>). All are read when scraped.
    /// </summary>
    public static IDisposable ExportMeters(OperatorMetrics metrics)
    {
        DotNetStats.Register(metrics.Registry);
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = metrics.Registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry),
            InstrumentFilterPredicate = instrument => instrument.Meter.Name is "Ballast" or "System.Runtime" || instrument.Meter.Name.StartsWith("Ballast.", StringComparison.Ordinal),
        });
    }
}
