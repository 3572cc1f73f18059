using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http.Features;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// What a route does around forwarding besides headers: answer with a redirect, refuse a body over the
/// limit (413), and give up a request that outlives the route's timeout (504). Null for a route with none of
/// these, so such routes pay one null check. Rewrites live in the transformer (<see cref="RequestRewrite"/>).
/// </summary>
public sealed class RouteShaping
{
    private static readonly byte[] TooLargeBody = "request body too large\n"u8.ToArray();

    private readonly long? _maxBody;
    private readonly TimeSpan? _timeout;
    private readonly TimeProvider _time;
    private readonly Counter.Child _tooLarge;
    private readonly Counter.Child _timedOut;

    private RouteShaping(RouteSnapshot route, ShapingMetrics metrics, TimeProvider time)
    {
        Redirect = route.Redirect is { } redirect ? new RedirectResponder(redirect, route.Match) : null;
        _maxBody = route.MaxRequestBodyBytes;
        _timeout = route.Timeout is { } t && t > TimeSpan.Zero ? t : null;
        _time = time;
        _tooLarge = metrics.BodyTooLarge.WithLabels(route.Id);
        _timedOut = metrics.TimedOut.WithLabels(route.Id);
    }

    public static RouteShaping? Create(RouteSnapshot route, ShapingMetrics metrics, TimeProvider time) =>
        route.Redirect is null && route.MaxRequestBodyBytes is null && route.Timeout is null ? null : new RouteShaping(route, metrics, time);

    public RedirectResponder? Redirect { get; }

    /// <summary>
    /// Answers the request here when it must not be forwarded: the route's redirect, or a declared
    /// Content-Length over the limit (refused before any byte of the body is read). Null: forward it.
    /// </summary>
    public Task? TryAnswer(HttpContext context)
    {
        if (Redirect is { } redirect) return redirect.WriteAsync(context);
        if (_maxBody is { } max && context.Request.ContentLength > max)
        {
            _tooLarge.Inc();
            return WriteTooLarge(context);
        }
        return null;
    }

    /// <summary>
    /// Arms the body limit and the request deadline (HttpContext.RequestAborted is replaced by a token that also
    /// fires at the deadline, so YARP stops the attempt and no retry starts). Pair with <see cref="End"/>.
    /// </summary>
    public Scope Begin(HttpContext context)
    {
        LimitedRequestBody? limited = null;
        if (_maxBody is { } max)
        {
            var declared = context.Request.ContentLength is not null;
            // A declared length was checked in TryAnswer and Kestrel holds the client to it: its limit fits exactly
            // (and lifts Kestrel's server-wide default for this request). A body of unknown length is counted by us.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = declared ? max : null;
            if (!declared) context.Request.Body = limited = new LimitedRequestBody(context.Request.Body, max);
        }
        // A WebSocket (upgrade or HTTP/2 extended CONNECT) lives as long as it is active: the idle timeout
        // bounds it, a whole-request deadline would cut every long session.
        if (_timeout is not { } timeout || IsUpgrade(context)) return new Scope(null, default, limited, default);
        var original = context.RequestAborted;
        var deadline = new CancellationTokenSource(timeout, _time);
        var link = original.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        context.RequestAborted = deadline.Token;
        return new Scope(deadline, link, limited, original);
    }

    /// <summary>Turns the forwarder's generic error status into 413 or 504 when our limit caused it, and restores the request.</summary>
    public void End(HttpContext context, Scope scope)
    {
        if (scope.Body is { } body) context.Request.Body = body.Inner;
        if (scope.Deadline is { } deadline)
        {
            context.RequestAborted = scope.Original;
            scope.Link.Dispose();
            var timedOut = deadline.IsCancellationRequested && !scope.Original.IsCancellationRequested;
            deadline.Dispose();
            if (timedOut)
            {
                _timedOut.Inc();
                if (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                }
                return;
            }
        }
        if (_maxBody is not null && !context.Response.HasStarted &&
            context.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.RequestBodyClient, Exception: var error } &&
            IsTooLarge(error))
        {
            _tooLarge.Inc();
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        }
    }

    private static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true ||
        context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>Kestrel's "request body too large" (a BadHttpRequestException with 413), possibly wrapped by YARP.</summary>
    private static bool IsTooLarge(Exception? error) => error switch
    {
        null => false,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTooLarge),
        _ => IsTooLarge(error.InnerException),
    };

    private static Task WriteTooLarge(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = TooLargeBody.Length;
        return context.Response.Body.WriteAsync(TooLargeBody, 0, TooLargeBody.Length);
    }

    /// <summary>The per-request state of <see cref="Begin"/>: empty on routes without a timeout.</summary>
    public readonly record struct Scope(CancellationTokenSource? Deadline, CancellationTokenRegistration Link, LimitedRequestBody? Body, CancellationToken Original);
}
