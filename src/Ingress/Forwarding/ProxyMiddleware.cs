using System.Diagnostics;
using Ballast.Ingress.AccessLog;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Http;
using Ballast.Ingress.Listeners;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Tls;
using Ballast.Ingress.Tracing;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// The terminal handler of the proxy listeners: listener (by local port) → route → pool → endpoint →
/// YARP's forwarder. No endpoint routing, no MVC: one state read, a few dictionary lookups, then forwarding.
/// </summary>
public sealed class ProxyMiddleware
{
    private static readonly byte[] NoRouteBody = "no route\n"u8.ToArray();
    private static readonly byte[] NoEndpointBody = "no endpoint available\n"u8.ToArray();
    private static readonly byte[] UnresolvedBackendBody = "this route's backend does not resolve (see the route's status)\n"u8.ToArray();
    private static readonly byte[] NoListenerBody = "no listener\n"u8.ToArray();
    private static readonly byte[] OverloadedBody = "pool overloaded\n"u8.ToArray();

    private readonly DataPlane _dataPlane;
    private readonly IngressMetrics _metrics;
    private readonly HealthAwareForwarder _forward;
    private readonly HttpsEdge _httpsEdge;
    private readonly AffinityRouter _affinity;
    private readonly ListenerShutdown _shutdown;
    private readonly AccessLogRecorder _accessLog;
    private readonly RequestMirrors _mirrors;
    private readonly RequestTracing _tracing;

    public ProxyMiddleware(DataPlane dataPlane, IHttpForwarder forwarder, IngressMetrics metrics, HttpsEdge httpsEdge, AffinityRouter affinity,
        ListenerShutdown shutdown, AccessLogRecorder accessLog, RequestMirrors mirrors, RequestTracing tracing)
    {
        _mirrors = mirrors;
        _tracing = tracing;
        _shutdown = shutdown;
        _accessLog = accessLog;
        _httpsEdge = httpsEdge;
        _affinity = affinity;
        _dataPlane = dataPlane;
        _metrics = metrics;
        _forward = new HealthAwareForwarder(forwarder, metrics.InFlight);
    }

    // The tracing and access-log hooks: one flag read each when they are off. Tracing wraps the access log, so a
    // logged line carries the span's trace id.
    // An unsampled request (tracing on) has its context written by Decide and goes the untraced way: no async frame.
    public Task InvokeAsync(HttpContext context) =>
        _tracing.IsOn && _tracing.Decide(context) is { Sampled: true } traced ? ProxyAndTraceAsync(context, traced) : LogAndProxyAsync(context, null);

    /// <summary>The path without tracing (internal: the cost test compares the tracing gate against it).</summary>
    internal Task LogAndProxyAsync(HttpContext context, Activity? span) =>
        _accessLog.IsOn && _accessLog.Begin(context) is { } entry ? ProxyAndLogAsync(context, entry, span) : ProxyAsync(context, null, span);

    private async Task ProxyAndTraceAsync(HttpContext context, TraceDecision decision)
    {
        // Started inside this async frame: Activity.Current is the request's own and ends with it.
        var span = _tracing.Start(context, decision);
        var failed = true;
        try
        {
            await LogAndProxyAsync(context, span);
            failed = false;
        }
        finally
        {
            if (span is not null) RequestTracing.Finish(span, context, failed);
        }
    }

    private async Task ProxyAndLogAsync(HttpContext context, AccessLogEntry entry, Activity? span)
    {
        var failed = true;
        try
        {
            await ProxyAsync(context, entry, span);
            failed = false;
        }
        finally
        {
            _accessLog.Complete(context, entry, failed);
        }
    }

    private async Task ProxyAsync(HttpContext context, AccessLogEntry? entry, Activity? span)
    {
        // This replica is going away, or the address this connection came to moved to the peer: no keep-alive.
        if (_shutdown.ClosesConnectionOf(context)) ListenerShutdown.CloseAfterResponse(context);
        if (RequestFraming.Check(context.Request) is { } violation)
        {
            await RequestFraming.RefuseAsync(context, violation);
            return;
        }
        if (context.Features.Get<PriorKnowledgeHttp2Feature>() is not null)
        {
            // The prior-knowledge detection borrows Kestrel's TLS/ALPN path to select HTTP/2; the connection is cleartext.
            context.Request.Scheme = "http";
        }

        // ACME challenges, HTTP→HTTPS redirect, HSTS (see Tls/HttpsEdge).
        if (_httpsEdge.TryAnswer(context) is { } answered)
        {
            await answered;
            return;
        }

        var state = _dataPlane.Current;
        if (!state.Routers.TryGetValue(context.Connection.LocalPort, out var router))
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, NoListenerBody);
            return;
        }
        if (router.Access is { } listenerAccess && !listenerAccess.Admits(context.Connection.RemoteIpAddress))
        {
            listenerAccess.Denied.Inc();
            await Policies.RoutePolicies.Forbid(context);
            return;
        }
        var route = router.Route(context.Request); // strips the listener's internal headers, then matches (explain calls the same)
        entry?.Route = route;
        if (route is null)
        {
            router.NoRoute.Inc();
            await WriteAsync(context, StatusCodes.Status404NotFound, NoRouteBody);
            return;
        }
        RequestTracing.Routed(span, route);
        // CORS preflights are answered before authentication: browsers send them without credentials.
        if (route.Cors?.TryAnswerPreflight(context) is { } preflight)
        {
            await preflight;
            return;
        }
        if (route.Policies is { } policies && !await policies.AdmitAsync(context)) return;
        // Redirects and declared bodies over the limit are answered here, before any pool is involved.
        if (route.Shaping?.TryAnswer(context) is { } answeredByRoute)
        {
            await answeredByRoute;
            return;
        }
        if (!route.TrySelectShare(context.Request, out var share, out var fixedStatus))
        {
            // A share that answers by itself: an unresolved Gateway API backendRef (500), a listener's own hosts (404).
            if (fixedStatus != 0) await WriteAsync(context, fixedStatus, fixedStatus == StatusCodes.Status404NotFound ? NoRouteBody : UnresolvedBackendBody);
            else await NoEndpointAsync(context, route);
            return;
        }
        var pool = share.Pool!;
        entry?.Pool = pool;
        RequestTracing.Pooled(span, pool);
        var pick = pool.UsesKey ? RequestHashKey.Compute(context, pool.Config.LoadBalancing) : PickContext.None;
        // Sticky pools ask the affinity component (cookie or table, falling back to the balancer); others the balancer.
        var endpoint = pool.Config.SessionAffinity is null ? pool.Balancer.Pick(pick) : await _affinity.ChooseAsync(context, pool.Config, pool.Balancer);
        entry?.Endpoint = endpoint;
        if (endpoint is null)
        {
            pool.NoEndpoint.Inc();
            await NoEndpointAsync(context, route);
            return;
        }

        RequestTracing.Picked(span, endpoint);
        if (!pool.Breaker.TryEnter(out var counted))
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, OverloadedBody);
            return;
        }
        var shaping = route.Shaping?.Begin(context) ?? default;
        MirroredBody? mirroredBody = null;
        try
        {
            // Copies for RequestMirror filters leave off the request path; a body is kept as it is forwarded.
            if (route.Mirrors is { } mirrors) mirroredBody = _mirrors.Begin(context, route, mirrors);
            // Passive health, drain deadlines and retries (to another endpoint, within the budget) live there.
            await _forward.ForwardAsync(context, route, share, endpoint, pick);
            if (route.ErrorPages is not null && context.Features.Get<Transforms.ErrorPageFeature>() is { } replaced)
                await ErrorPageResponder.RespondAsync(context, route.ErrorPool, replaced.Status);
        }
        finally
        {
            if (counted) pool.Breaker.Exit();
            mirroredBody?.End();
            route.Shaping?.End(context, shaping);
        }
    }

    private static Task NoEndpointAsync(HttpContext context, RouteRuntime route) =>
        route.ErrorPages is { } pages && pages.Replaces(StatusCodes.Status503ServiceUnavailable)
            ? ErrorPageResponder.RespondAsync(context, route.ErrorPool, StatusCodes.Status503ServiceUnavailable)
            : WriteAsync(context, StatusCodes.Status503ServiceUnavailable, NoEndpointBody);

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
