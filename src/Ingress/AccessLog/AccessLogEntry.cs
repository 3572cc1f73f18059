using System.Net;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.AccessLog;

/// <summary>
/// What one request did, collected on the request path (references to strings Kestrel already made, numbers)
/// and formatted later by the writer. Also a request feature, so the retry loop can record its endpoint changes.
/// </summary>
public sealed class AccessLogEntry
{
    internal AccessLogEntry(ListenerSnapshot listener) => Listener = listener;

    public ListenerSnapshot Listener { get; }
    public RouteRuntime? Route { get; set; }
    public PoolRuntime? Pool { get; set; }
    /// <summary>The endpoint of the last attempt.</summary>
    public EndpointState? Endpoint { get; set; }
    public int Retries { get; private set; }

    // Known when the request arrives.
    internal DateTimeOffset Time;
    internal long StartedTimestamp;
    internal IPAddress? ClientAddress;
    internal int ClientPort;
    internal string Method = "";
    internal string Scheme = "";
    internal string Host = "";
    internal string Path = "";
    internal string? Query;
    internal string Protocol = "";
    internal string? UserAgent;
    internal string? Referer;
    internal string? TraceParent;
    internal string? TraceId;
    internal string? TlsVersion;
    internal string? TlsCipher;
    internal string? TlsSni;
    internal RequestBodyCounter? RequestBody;
    internal ResponseBodyCounter? ResponseBody;

    // Known when it ends.
    internal AccessLogSnapshot Config = null!;
    internal int Status;
    internal double DurationMs;
    internal double? UpstreamTtfbMs;
    internal int? UpstreamStatus;
    internal string? RequestId;
    internal string? AuthSubject;

    /// <summary>The retry loop moved the request to <paramref name="next"/> (no-op when the request is not logged).</summary>
    public static void Retried(HttpContext context, EndpointState next)
    {
        if (context.Features.Get<AccessLogEntry>() is not { } entry) return;
        entry.Endpoint = next;
        entry.Retries++;
    }
}
