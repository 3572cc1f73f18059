using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

[JsonConverter(typeof(JsonStringEnumConverter<RateLimitKey>))]
public enum RateLimitKey { ClientIp, Header, Route }

[JsonConverter(typeof(JsonStringEnumConverter<RateLimitMode>))]
public enum RateLimitMode { Local, Global }

/// <summary>
/// A route's request rate limit: exactly one of requestsPerSecond / requestsPerMinute, with an optional burst
/// (how many requests may arrive at once; defaults to the per-period figure). Limits are per key.
/// </summary>
public sealed class RateLimitSpec
{
    public int? RequestsPerSecond { get; set; }
    public int? RequestsPerMinute { get; set; }
    public int? Burst { get; set; }
    /// <summary>What one budget belongs to: the client's IP (default), a header's value (an API key), or the route as a whole.</summary>
    public RateLimitKey Key { get; set; } = RateLimitKey.ClientIp;
    /// <summary>The header for <c>key: Header</c>.</summary>
    public string? Header { get; set; }
    /// <summary>CIDRs of proxies in front of Ballast: from them, the client IP is the right-most X-Forwarded-For entry that is not a trusted proxy.</summary>
    public List<string>? TrustedProxies { get; set; }
    /// <summary>Local: each replica counts on its own. Global: counters shared in Redis (not implemented yet: rejected by the Compiler).</summary>
    public RateLimitMode Mode { get; set; } = RateLimitMode.Local;
}

/// <summary>
/// IP allow and deny lists in CIDR notation (a bare address is a /32 or /128). Deny wins; when an allow list is
/// given, only addresses on it pass. Checked against the connection's peer address.
/// </summary>
public sealed class AccessControlSpec
{
    public List<string>? Allow { get; set; }
    public List<string>? Deny { get; set; }
}
