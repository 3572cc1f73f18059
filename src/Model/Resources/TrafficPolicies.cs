using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

[JsonConverter(typeof(JsonStringEnumConverter<RateLimitKey>))]
public enum RateLimitKey { ClientIp, Header, Route, Claim }

[JsonConverter(typeof(JsonStringEnumConverter<RateLimitMode>))]
public enum RateLimitMode { Local, Global }

/// <summary>
/// A route's request rate limit: exactly one of requestsPerSecond / requestsPerMinute, with an optional burst
/// (how many requests may arrive at once; defaults to the per-period figure). Limits are per key.
/// </summary>
public sealed class RateLimitSpec
{
    /// <summary>Requests admitted per second per key.</summary>
    public int? RequestsPerSecond { get; set; }
    /// <summary>Requests admitted per minute per key.</summary>
    public int? RequestsPerMinute { get; set; }
    /// <summary>How many requests may arrive at once; the per-period figure when absent.</summary>
    public int? Burst { get; set; }
    /// <summary>What one budget belongs to: the client's IP (default), a header's value (an API key), a claim of the route's validated JWT, or the route as a whole.</summary>
    public RateLimitKey Key { get; set; } = RateLimitKey.ClientIp;
    /// <summary>The header for <c>key: Header</c>.</summary>
    public string? Header { get; set; }
    /// <summary>The JWT claim for <c>key: Claim</c> (e.g. <c>sub</c>); the route must have <c>auth.jwt</c>.</summary>
    public string? Claim { get; set; }
    /// <summary>CIDRs of proxies in front of Ballast: from them, the client IP is the right-most X-Forwarded-For entry that is not a trusted proxy.</summary>
    public List<string>? TrustedProxies { get; set; }
    /// <summary>Local: each replica counts on its own. Global: counters shared in Redis (the ingress's <c>--redis</c>), so the limit holds across replicas.</summary>
    public RateLimitMode Mode { get; set; } = RateLimitMode.Local;
    /// <summary>
    /// Global only, required: how many ingress replicas share the limit. While Redis is unreachable each replica
    /// admits its local share, limit ÷ replicas (burst likewise, at least 1).
    /// </summary>
    public int? Replicas { get; set; }
}

/// <summary>
/// IP allow and deny lists in CIDR notation (a bare address is a /32 or /128). Deny wins; when an allow list is
/// given, only addresses on it pass. Checked against the connection's peer address.
/// </summary>
public sealed class AccessControlSpec
{
    /// <summary>CIDRs allowed; when given, only these pass.</summary>
    public List<string>? Allow { get; set; }
    /// <summary>CIDRs refused with 403 (deny wins over allow).</summary>
    public List<string>? Deny { get; set; }
}

/// <summary>
/// Traffic policies for Gateway API routes (policy attachment): what a native route says in rateLimit, auth and
/// accessControl, for every request of the HTTPRoutes and GRPCRoutes a LoadBalancerPolicy's targetRefs name, or of every
/// route of the Gateways they name. A route's own policy replaces its Gateway's.
/// </summary>
public sealed class TrafficPolicySpec
{
    /// <summary>The request rate limit of each targeted route (each route counts on its own).</summary>
    public RateLimitSpec? RateLimit { get; set; }
    /// <summary>Authentication the targeted routes demand.</summary>
    public AuthSpec? Auth { get; set; }
    /// <summary>IP allow/deny lists for the targeted routes.</summary>
    public AccessControlSpec? AccessControl { get; set; }
}

/// <summary>Authentication a route demands before forwarding; every kind given must pass (JWT, API key, basic, then external).</summary>
public sealed class AuthSpec
{
    public JwtAuthSpec? Jwt { get; set; }
    public ApiKeyAuthSpec? ApiKey { get; set; }
    public BasicAuthSpec? Basic { get; set; }
    public ExternalAuthSpec? External { get; set; }
}

/// <summary>
/// Bearer JWT validation with keys from a JWKS URL (https, or http on a loopback address only). The issuer
/// and one of the audiences must match; only RS256 and ES256 signatures are accepted, never "none".
/// </summary>
public sealed class JwtAuthSpec
{
    /// <summary>The iss claim the token must carry.</summary>
    public string Issuer { get; set; } = "";
    /// <summary>The token's aud must name one of these; any when absent.</summary>
    public List<string>? Audiences { get; set; }
    /// <summary>Where the issuer's signing keys (a JSON Web Key Set) are fetched from.</summary>
    public string JwksUrl { get; set; } = "";
    /// <summary>RS256 and/or ES256; both when absent.</summary>
    public List<string>? Algorithms { get; set; }
    /// <summary>Allowed clock difference for exp/nbf; 30s when absent, at most 5m.</summary>
    public Duration? ClockSkew { get; set; }
    /// <summary>How often the key set is fetched again; 10m when absent (an unknown kid also triggers a refresh).</summary>
    public Duration? JwksRefresh { get; set; }
    /// <summary>Claim → request header sent to the backend (a client's own copy of that header is dropped).</summary>
    public Dictionary<string, string>? ForwardClaims { get; set; }
    /// <summary>Remove the Authorization header before the backend.</summary>
    public bool? StripCredential { get; set; }
}
