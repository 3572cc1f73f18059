using System.Reflection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ballast.Ingress.Tracing;

/// <summary>
/// The OpenTelemetry SDK behind <see cref="RequestTracing"/>, which decides sampling itself (parent-based, the
/// configured ratio for new traces) before it starts a span, so the SDK records every span it is given; and a
/// batching OTLP/HTTP exporter. The batch queue is bounded: when the receiver is slow, spans are dropped,
/// requests never wait.
/// </summary>
public static class TraceExport
{
    public static TracerProvider Start(TracingOptions options)
    {
        var version = typeof(TraceExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(options.ServiceName, serviceVersion: version,
                serviceInstanceId: options.ServiceInstance, autoGenerateServiceInstanceId: options.ServiceInstance is null))
            .AddSource(RequestTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = options.TracesUrl;
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                otlp.ExportProcessorType = ExportProcessorType.Batch;
                otlp.BatchExportProcessorOptions = new BatchExportProcessorOptions<System.Diagnostics.Activity>
                {
                    ScheduledDelayMilliseconds = (int)Math.Max(1, options.ExportInterval.TotalMilliseconds),
                };
            })
            .Build();
    }
}
