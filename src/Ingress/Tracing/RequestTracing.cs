using System.Diagnostics;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;
using OpenTelemetry.Context.Propagation;

namespace Ballast.Ingress.Tracing;

/// <summary>
/// The request-path half of tracing: one server span per proxied request, child of the client's trace context,
/// with the route, pool, endpoint, retries and status as attributes; the request's trace-context headers are
/// replaced by the span's own, so the backend's parent is Ballast's span. When tracing is off
/// (<see cref="IsOn"/> false) the proxy never calls in here: no Activity, no allocation.
/// Export (batching, sampling, OTLP) is <see cref="TraceExport"/>'s.
/// </summary>
public sealed class RequestTracing
{
    public const string SourceName = "Ballast.Ingress";

    /// <summary>Attribute names: the OpenTelemetry HTTP conventions where one exists, <c>ballast.*</c> for ours.</summary>
    public static class Tags
    {
        public const string Method = "http.request.method";
        public const string Scheme = "url.scheme";
        public const string Path = "url.path";
        public const string Host = "server.address";
        public const string Client = "client.address";
        public const string Protocol = "network.protocol.version";
        public const string Status = "http.response.status_code";
        public const string Route = "ballast.route";
        public const string Pool = "ballast.pool";
        public const string Endpoint = "ballast.endpoint";
        public const string Retries = "ballast.retries";
    }

    internal static readonly ActivitySource Source = new(SourceName);

    private static readonly Func<IHeaderDictionary, string, IEnumerable<string>?> Read =
        (headers, name) => headers.TryGetValue(name, out var values) ? values.Select(v => v ?? "") : null;
    private static readonly Action<IHeaderDictionary, string, string> Write = (headers, name, value) => headers[name] = value;

    private readonly TextMapPropagator? _propagator;
    private readonly double _sampleRatio;

    public RequestTracing(TracingOptions? options)
    {
        IsOn = options is not null;
        _sampleRatio = options?.SampleRatio ?? 0;
        _propagator = options?.Propagation switch
        {
            null => null,
            TracePropagation.W3C => new TraceContextPropagator(),
            TracePropagation.B3 => new B3Propagator(singleHeader: true),
            _ => new B3Propagator(singleHeader: false),
        };
    }

    /// <summary>Tracing is configured; the proxy checks this flag before anything else here.</summary>
    public bool IsOn { get; }

    /// <summary>
    /// Decides whether the request is traced, before any span exists, parent-based: a request whose client sent a
    /// context follows its sampled flag; a new trace is kept with the configured ratio. A request that is not sampled
    /// gets no Activity at all (no span object, no Activity.Current to flow through every await, no async frame
    /// around the proxy: at 1% sampling, what 99% of requests would pay); its context, sampled flag off, is written
    /// for the backend here. A sampled one gets its span from <see cref="Start"/>.
    /// </summary>
    public TraceDecision Decide(HttpContext context)
    {
        var request = context.Request;
        var propagator = _propagator ?? throw new InvalidOperationException("tracing is off");
        var parent = propagator.Extract(default, request.Headers, Read);
        var parentContext = parent.ActivityContext;
        var hasParent = parentContext != default; // the propagator gives default for a missing or malformed context
        var sampled = hasParent
            ? (parentContext.TraceFlags & ActivityTraceFlags.Recorded) != 0
            : _sampleRatio >= 1 || (_sampleRatio > 0 && Random.Shared.NextDouble() < _sampleRatio);
        if (sampled) return new TraceDecision(true, parent);
        var traceId = hasParent ? parentContext.TraceId : ActivityTraceId.CreateRandom();
        var unsampled = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, parentContext.TraceState);
        Propagate(propagator, request, new PropagationContext(unsampled, parent.Baggage));
        return default;
    }

    /// <summary>
    /// Starts the server span of a request <see cref="Decide"/> sampled (null when no listener takes it) and rewrites
    /// the trace-context headers the backend will see. Call it inside the async frame that will finish the span, so
    /// that Activity.Current stays scoped to the request.
    /// </summary>
    public Activity? Start(HttpContext context, TraceDecision decision)
    {
        var request = context.Request;
        var propagator = _propagator ?? throw new InvalidOperationException("tracing is off");
        var span = Source.StartActivity(ActivityKind.Server, decision.Parent.ActivityContext, name: request.Method);
        if (span is null) return null;
        if (span.IsAllDataRequested)
        {
            span.SetTag(Tags.Method, request.Method);
            span.SetTag(Tags.Scheme, request.Scheme);
            span.SetTag(Tags.Host, request.Host.Host);
            span.SetTag(Tags.Path, request.Path.Value);
            span.SetTag(Tags.Protocol, ProtocolVersion(request.Protocol));
            span.SetTag(Tags.Client, context.Connection.RemoteIpAddress?.ToString());
        }
        Propagate(propagator, request, new PropagationContext(span.Context, decision.Parent.Baggage));
        return span;
    }

    /// <summary>Replaces the client's trace-context headers with <paramref name="propagated"/>.</summary>
    private static void Propagate(TextMapPropagator propagator, HttpRequest request, PropagationContext propagated)
    {
        if (propagator.Fields is { } fields) foreach (var field in fields) request.Headers.Remove(field);
        propagator.Inject(propagated, request.Headers, Write);
    }

    /// <summary>The route that took the request names the span (<c>GET default/shop/api</c>).</summary>
    public static void Routed(Activity? span, RouteRuntime route)
    {
        if (span is not { IsAllDataRequested: true }) return;
        span.DisplayName = span.OperationName + " " + route.Id;
        span.SetTag(Tags.Route, route.Id);
    }

    public static void Pooled(Activity? span, PoolRuntime pool)
    {
        if (span is { IsAllDataRequested: true }) span.SetTag(Tags.Pool, pool.Id);
    }

    public static void Picked(Activity? span, EndpointState endpoint)
    {
        if (span is { IsAllDataRequested: true }) span.SetTag(Tags.Endpoint, endpoint.Id);
    }

    /// <summary>The retry loop moved the request to <paramref name="next"/>: the span names the last endpoint tried and counts retries.</summary>
    public static void Retried(EndpointState next, int retries)
    {
        if (Activity.Current is not { IsAllDataRequested: true } span || span.Source != Source) return;
        span.SetTag(Tags.Endpoint, next.Id);
        span.SetTag(Tags.Retries, retries);
    }

    /// <param name="failed">The proxy threw (Kestrel answers 500 when the response had not started).</param>
    public static void Finish(Activity span, HttpContext context, bool failed)
    {
        if (span.IsAllDataRequested)
        {
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            span.SetTag(Tags.Status, status);
            span.SetTag(Tags.Retries, span.GetTagItem(Tags.Retries) ?? 0);
            // Server spans: 5xx is an error, 4xx is the client's (OpenTelemetry's HTTP conventions).
            if (failed || status >= 500) span.SetStatus(ActivityStatusCode.Error);
        }
        span.Stop();
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => protocol,
    };
}

/// <summary>What <see cref="RequestTracing.Decide"/> found: whether the request gets a span, and the client's context.</summary>
public readonly record struct TraceDecision(bool Sampled, PropagationContext Parent);
