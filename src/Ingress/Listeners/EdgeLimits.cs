using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// Kestrel's limits at the edge, pinned here instead of left to defaults so they are reviewed, documented
/// (docs/strict-http.md) and tested at byte level (StrictHttpTests, EdgeAbuseTests). The values are those
/// production proxies use at the edge: 100 concurrent HTTP/2 streams (Envoy's and HAProxy's edge guidance,
/// nginx 128), a 4 KiB HPACK table and 16 KiB frames (the protocol defaults), 8 KiB request lines and 32 KiB of
/// request fields (nginx's large_client_header_buffers 4 × 8k), 100 fields per request.
/// What they defend, with Kestrel's own mitigations:
/// <list type="bullet">
/// <item>HTTP/2 rapid reset (CVE-2023-44487): streams a client resets stay counted until their request ends; past
/// twice the stream limit Kestrel refuses new streams with ENHANCE_YOUR_CALM and, when that repeats, ends the
/// connection with GOAWAY ENHANCE_YOUR_CALM.</item>
/// <item>CONTINUATION floods (2024): a header block is counted across its CONTINUATION frames against the field
/// count and size limits (GOAWAY PROTOCOL_ERROR); a block that never ends, even of empty frames, is closed by the
/// request-headers timeout.</item>
/// <item>Slow headers (slowloris): the same timeout, 408 for HTTP/1.1.</item>
/// </list>
/// </summary>
public static class EdgeLimits
{
    public const int MaxStreamsPerConnection = 100;
    public const int MaxRequestHeaderCount = 100;
    public const int MaxRequestHeadersTotalSize = 32 * 1024;
    public const int MaxRequestLineSize = 8 * 1024;

    public static void Apply(KestrelServerLimits limits, TimeSpan requestHeadersTimeout)
    {
        limits.MaxRequestLineSize = MaxRequestLineSize;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = requestHeadersTimeout;
        limits.Http2.MaxStreamsPerConnection = MaxStreamsPerConnection;
        limits.Http2.HeaderTableSize = 4 * 1024;
        limits.Http2.MaxFrameSize = 16 * 1024;
        limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;
    }
}
