namespace Ballast.Ingress.Tracing;

/// <summary>
/// Where spans go and which requests get one. Tracing is on only when these options are given
/// (<c>--tracing-endpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); without them nothing on the request path changes.
/// </summary>
/// <param name="Endpoint">The OTLP/HTTP (protobuf) receiver: a base such as <c>http://collector:4318</c> (<c>/v1/traces</c> is added) or the full traces URL.</param>
public sealed record TracingOptions(Uri Endpoint)
{
    /// <summary>The share of new traces recorded (0..1). A request that arrives with a trace context follows its sampled flag.</summary>
    public double SampleRatio { get; init; } = 1.0;
    /// <summary>The header format read from clients and written to backends.</summary>
    public TracePropagation Propagation { get; init; } = TracePropagation.W3C;
    /// <summary>The resource's <c>service.name</c>.</summary>
    public string ServiceName { get; init; } = "ballast";
    /// <summary>The resource's <c>service.instance.id</c> (the replica), when known.</summary>
    public string? ServiceInstance { get; init; }
    /// <summary>How often finished spans are sent (a batch is also sent when it is full).</summary>
    public TimeSpan ExportInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The URL spans are posted to: the endpoint itself when it already names <c>/v1/traces</c>.</summary>
    public Uri TracesUrl => Endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
        ? Endpoint
        : new Uri(Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/traces");
}

/// <summary>Trace-context headers: W3C <c>traceparent</c>/<c>tracestate</c>, or Zipkin's B3 (one <c>b3</c> header, or the <c>X-B3-*</c> set).</summary>
public enum TracePropagation
{
    W3C,
    B3,
    B3Multi,
}
