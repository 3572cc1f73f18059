using System.Diagnostics;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// Gateway API's RequestMirror: a copy of the request goes to another pool, fire and forget; its answer is read and
/// discarded and never reaches the client. The copy is what the route's backend would get (the route's header rules
/// and rewrite, not a single backend's), sent from the thread pool, never awaited by the request.
/// <list type="bullet">
/// <item>At most <see cref="MaxInFlight"/> copies are in flight per replica; beyond that a copy is dropped and counted
/// (<c>ballast_mirror_requests_total{result="dropped_busy"}</c>): a slow mirror never holds memory or requests up.</item>
/// <item>A request without a body is copied at once. A body is copied only when it is small and its length declared
/// (<c>Content-Length</c> up to <see cref="MaxBodyBytes"/>): the bytes are kept as the proxy forwards them (no extra
/// read, no delay) and the copy leaves once the whole body has passed. Other bodies (larger, or chunked without a
/// length) are not copied, and neither is their request (<c>dropped_body</c>): a copy without its body would be a
/// different request.</item>
/// </list>
/// </summary>
public sealed class RequestMirrors
{
    /// <summary>Copies in flight at once per replica, across routes.</summary>
    public const int DefaultMaxInFlight = 256;
    /// <summary>The largest body a copy carries.</summary>
    public const long MaxBodyBytes = 64 * 1024;
    /// <summary>How long a copy may take before it is given up (counted as failed).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private int _inFlight;

    public RequestMirrors(int maxInFlight = DefaultMaxInFlight, TimeProvider? time = null)
    {
        MaxInFlight = maxInFlight;
        _time = time ?? TimeProvider.System;
    }

    public int MaxInFlight { get; }
    /// <summary>Copies sent and not yet answered or failed.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Called on the request path just before the request is forwarded. Copies a bodiless request now; for a small
    /// declared body, returns the stream that keeps the body as it is forwarded (already set on the request), whose
    /// <see cref="MirroredBody.End"/> the caller calls when the request ends. Null otherwise.
    /// </summary>
    public MirroredBody? Begin(HttpContext context, RouteRuntime route, RouteMirror[] mirrors)
    {
        var request = context.Request;
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        if (!canHaveBody)
        {
            foreach (var mirror in mirrors)
                if (mirror.Sample()) Dispatch(context, route, mirror, body: null);
            return null;
        }
        List<RouteMirror>? sampled = null;
        foreach (var mirror in mirrors)
            if (mirror.Sample()) (sampled ??= []).Add(mirror);
        if (sampled is null) return null;
        if (request.ContentLength is not { } length || length > MaxBodyBytes)
        {
            foreach (var mirror in sampled) mirror.BodyNotCopied.Inc();
            return null;
        }
        var body = new MirroredBody(request.Body, (int)length, bytes =>
        {
            foreach (var mirror in sampled) Dispatch(context, route, mirror, bytes);
        }, () =>
        {
            foreach (var mirror in sampled) mirror.BodyNotCopied.Inc();
        });
        request.Body = body;
        return body;
    }

    /// <summary>Builds the copy on the request's thread (the request is still in flight) and sends it from the thread pool.</summary>
    private void Dispatch(HttpContext context, RouteRuntime route, RouteMirror mirror, byte[]? body)
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            mirror.Busy.Inc();
            return;
        }
        var endpoint = mirror.Pool.Balancer.Pick(PickContext.None);
        if (endpoint is null)
        {
            Interlocked.Decrement(ref _inFlight);
            mirror.NoEndpoint.Inc();
            return;
        }
        HttpRequestMessage? message;
        try
        {
            message = Copy(context, route, mirror.Pool, endpoint, body);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            message = null; // a copy that cannot be built is a failed copy, never a failed request
        }
        if (message is null)
        {
            Interlocked.Decrement(ref _inFlight);
            mirror.Failed.Inc();
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Self.SendAsync(s.Mirror, s.Endpoint, s.Message),
            (Self: this, Mirror: mirror, Endpoint: endpoint, Message: message), preferLocal: false);
    }

    private static HttpRequestMessage? Copy(HttpContext context, RouteRuntime route, PoolRuntime pool, EndpointState endpoint, byte[]? body)
    {
        var request = context.Request;
        var config = PoolTransport.RequestConfig(pool.Config.Protocol, null);
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), (Uri?)null)
        {
            Version = config.Version!,
            VersionPolicy = config.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
            Content = body is null ? null : new ByteArrayContent(body),
        };
        // The route's transformer copies the headers (with X-Forwarded-*, the request id, the route's rules and
        // rewrite). It completes synchronously (no I/O); were it ever not to, the copy is given up rather than let it
        // read a request that may have ended.
        var transformed = route.Transformer.TransformRequestAsync(context, message, endpoint.DestinationPrefix, CancellationToken.None);
        if (!transformed.IsCompletedSuccessfully)
        {
            message.Dispose();
            return null;
        }
        message.RequestUri ??= RequestUtilities.MakeDestinationAddress(endpoint.DestinationPrefix, request.Path, request.QueryString);
        AddedFieldLines.Apply(message, route.RequestAdds);
        return message;
    }

    private async Task SendAsync(RouteMirror mirror, EndpointState endpoint, HttpRequestMessage message)
    {
        endpoint.OnRequestStarted();
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(Timeout, _time);
        try
        {
            using var response = await mirror.Pool.Invoker.SendAsync(message, timeout.Token);
            // Read to the end so the connection goes back to the pool; the bytes go nowhere.
            await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            mirror.Sent.Inc();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            mirror.Failed.Inc();
        }
        finally
        {
            message.Dispose();
            endpoint.OnRequestFinished(Stopwatch.GetElapsedTime(started));
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
