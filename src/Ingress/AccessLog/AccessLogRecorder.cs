using System.Diagnostics;
using System.Security.Claims;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.AccessLog;

/// <summary>
/// The request-path half of access logs: <see cref="Begin"/> notes what the request is and counts its bodies,
/// <see cref="Complete"/> notes what happened, samples, and hands the entry to the queue without waiting.
/// When no listener of the current snapshot logs, <see cref="IsOn"/> is false and the proxy skips both.
/// </summary>
public sealed class AccessLogRecorder
{
    private readonly DataPlane _dataPlane;
    private readonly AccessLogQueue _queue;
    private readonly AccessLogSampler _sampler;
    private readonly TimeProvider _time;
    private volatile bool _isOn;

    public AccessLogRecorder(DataPlane dataPlane, AccessLogQueue queue, AccessLogOptions options, TimeProvider time)
    {
        _dataPlane = dataPlane;
        _queue = queue;
        _time = time;
        _sampler = new AccessLogSampler(options.Random);
        dataPlane.Applied += state => _isOn = state.Routers.Values.Any(r => r.LogsRequests);
    }

    /// <summary>Some listener of the current snapshot logs requests (its own or its routes').</summary>
    public bool IsOn => _isOn;

    /// <summary>An entry when this request's listener logs (or one of its routes does); null otherwise.</summary>
    public AccessLogEntry? Begin(HttpContext context)
    {
        if (!_dataPlane.Current.Routers.TryGetValue(context.Connection.LocalPort, out var router) || !router.LogsRequests) return null;
        var request = context.Request;
        var connection = context.Connection;
        var entry = new AccessLogEntry(router.Listener)
        {
            Time = _time.GetUtcNow(),
            StartedTimestamp = Stopwatch.GetTimestamp(),
            ClientAddress = connection.RemoteIpAddress,
            ClientPort = connection.RemotePort,
            // Strings Kestrel already made; a later rewrite does not change what the client asked for.
            Method = request.Method,
            Scheme = request.Scheme,
            Host = request.Host.Value ?? "",
            Path = request.Path.Value ?? "",
            Query = request.QueryString.Value,
            Protocol = request.Protocol,
            UserAgent = Single(request.Headers.UserAgent),
            Referer = Single(request.Headers.Referer),
            TraceParent = Single(request.Headers["traceparent"]),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        };
        if (context.Features.Get<ITlsHandshakeFeature>() is { } tls)
        {
            entry.TlsVersion = TlsNames.Version(tls.Protocol);
            entry.TlsCipher = tls.NegotiatedCipherSuite?.ToString();
            entry.TlsSni = string.IsNullOrEmpty(tls.HostName) ? null : tls.HostName;
        }
        var requestBody = new RequestBodyCounter(request.Body);
        request.Body = requestBody;
        entry.RequestBody = requestBody;
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } responseBody)
        {
            entry.ResponseBody = new ResponseBodyCounter(responseBody);
            context.Features.Set<IHttpResponseBodyFeature>(entry.ResponseBody);
        }
        context.Features.Set(entry);
        return entry;
    }

    /// <param name="failed">The proxy threw (Kestrel answers 500 when the response had not started).</param>
    public void Complete(HttpContext context, AccessLogEntry entry, bool failed)
    {
        // Put Kestrel's own body features back: nothing after this point should count.
        if (entry.ResponseBody is { } response) context.Features.Set(response.Inner);
        if (entry.RequestBody is { } requestBody && ReferenceEquals(context.Request.Body, requestBody)) context.Request.Body = requestBody.Inner;
        context.Features.Set<AccessLogEntry>(null);

        // The route's own setting (or its listener's, resolved by the Compiler); a request no route took: the listener's.
        var config = entry.Route is { } route ? route.Config.AccessLog : entry.Listener.AccessLog;
        if (config is null) return;
        var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        if (!_sampler.Keeps(config, status, failed || context.RequestAborted.IsCancellationRequested)) return;

        var now = Stopwatch.GetTimestamp();
        entry.Config = config;
        entry.Status = status;
        entry.DurationMs = Stopwatch.GetElapsedTime(entry.StartedTimestamp, now).TotalMilliseconds;
        if (entry.ResponseBody is { FirstByteTimestamp: > 0 } body && entry.Endpoint is not null)
            entry.UpstreamTtfbMs = Stopwatch.GetElapsedTime(entry.StartedTimestamp, body.FirstByteTimestamp).TotalMilliseconds;
        // The backend answered when an endpoint was tried and the forwarder reported no error.
        if (entry.Endpoint is not null && !failed && context.Features.Get<IForwarderErrorFeature>() is null) entry.UpstreamStatus = status;
        entry.RequestId = Single(context.Request.Headers[RequestIds.HeaderName]);
        entry.AuthSubject = Subject(context.Features.Get<IHttpAuthenticationFeature>()?.User);
        _queue.TryAdd(entry);
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 0 ? null : values.ToString();

    private static string? Subject(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true } identity) return null;
        return identity.Name ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
    }
}
