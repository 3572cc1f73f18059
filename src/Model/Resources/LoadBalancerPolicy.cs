using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

/// <summary>Where Ballast listens and how requests on those listeners reach pools.</summary>
public sealed class LoadBalancerPolicy : Resource
{
    public const string KindName = "LoadBalancerPolicy";
    public override string Kind { get; set; } = KindName;
    public LoadBalancerPolicySpec Spec { get; set; } = new();
    public LoadBalancerPolicyStatus? Status { get; set; }
}

public sealed class LoadBalancerPolicySpec
{
    public List<ListenerSpec>? Listeners { get; set; }
    public List<HttpRouteSpec>? Routes { get; set; }
    public List<TcpRouteSpec>? TcpRoutes { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ListenerProtocol>))]
public enum ListenerProtocol { HTTP, HTTPS, TCP, UDP, TLS }

public sealed class ListenerSpec
{
    public string Name { get; set; } = "";
    public int Port { get; set; }
    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.HTTP;
    /// <summary>The address to bind; all interfaces when absent.</summary>
    public string? Address { get; set; }
    /// <summary>Host names this listener serves; any when absent.</summary>
    public List<string>? Hostnames { get; set; }
    public ListenerTlsSpec? Tls { get; set; }
    /// <summary>Accept a PROXY protocol header from an upstream load balancer.</summary>
    public bool? AcceptProxyProtocol { get; set; }
    public int? MaxConnections { get; set; }
    /// <summary>IP allow/deny lists for every request on this listener (checked before routing).</summary>
    public AccessControlSpec? AccessControl { get; set; }
    /// <summary>Client request headers whose names start with one of these prefixes (e.g. X-Internal-) are removed before routing, so clients cannot spoof internal headers.</summary>
    public List<string>? StripRequestHeaderPrefixes { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TlsMode>))]
public enum TlsMode { Terminate, Passthrough }

public sealed class ListenerTlsSpec
{
    public TlsMode Mode { get; set; } = TlsMode.Terminate;
    public List<CertificateReference>? Certificates { get; set; }
    public AcmeSpec? Acme { get; set; }
    public bool? RedirectHttp { get; set; }
    public Duration? Hsts { get; set; }
}

public sealed class CertificateReference
{
    /// <summary>A <c>kubernetes.io/tls</c> Secret in the policy's namespace.</summary>
    public string? SecretRef { get; set; }
    public string? CertificateFile { get; set; }
    public string? KeyFile { get; set; }
}

public sealed class AcmeSpec
{
    public string Directory { get; set; } = "";
    public string? Email { get; set; }
    public string? AccountSecretRef { get; set; }
}

public sealed class HttpRouteSpec
{
    public string? Name { get; set; }
    /// <summary>Names of this policy's listeners the route attaches to; every HTTP(S) listener when absent.</summary>
    public List<string>? Listeners { get; set; }
    public RouteMatchSpec? Match { get; set; }
    public List<WeightedBackend>? Backends { get; set; }
    public CanarySpec? Canary { get; set; }
    public RetrySpec? Retries { get; set; }
    /// <summary>The whole request, retries included: past it the client gets 504. Also the idle timeout when idleTimeout is absent.</summary>
    public Duration? Timeout { get; set; }
    /// <summary>Longest silence from the backend (or client body) before the request is given up with 504.</summary>
    public Duration? IdleTimeout { get; set; }
    /// <summary>Largest request body in bytes: 413 for a larger Content-Length at once, or when a chunked body grows past it.</summary>
    public long? MaxRequestBodyBytes { get; set; }
    /// <summary>Host and path rewrites before forwarding.</summary>
    public RewriteSpec? Rewrite { get; set; }
    /// <summary>Answer with a redirect instead of forwarding (no backends then).</summary>
    public RedirectSpec? Redirect { get; set; }
    public HeaderModifierSpec? RequestHeaders { get; set; }
    public HeaderModifierSpec? ResponseHeaders { get; set; }
    public RateLimitSpec? RateLimit { get; set; }
    public AuthSpec? Auth { get; set; }
    /// <summary>IP allow/deny lists for this route (after the listener's).</summary>
    public AccessControlSpec? AccessControl { get; set; }
    /// <summary>Cross-origin requests: preflights answered here, CORS headers on responses.</summary>
    public CorsSpec? Cors { get; set; }
    /// <summary>Replace chosen error statuses with a page from another pool.</summary>
    public ErrorResponsesSpec? ErrorResponses { get; set; }
}

/// <summary>All given conditions must hold. At most one of path, pathPrefix, pathRegex.</summary>
public sealed class RouteMatchSpec
{
    public List<string>? Hosts { get; set; }
    public string? Path { get; set; }
    public string? PathPrefix { get; set; }
    public string? PathRegex { get; set; }
    public List<string>? Methods { get; set; }
    public List<ValueMatchSpec>? Headers { get; set; }
    public List<ValueMatchSpec>? Query { get; set; }
}

/// <summary>A header or query parameter: equal to <c>value</c>, matching <c>regex</c>, or only present when neither is given.</summary>
public sealed class ValueMatchSpec
{
    public string Name { get; set; } = "";
    public string? Value { get; set; }
    public string? Regex { get; set; }
}

public sealed class WeightedBackend
{
    public string Pool { get; set; } = "";
    public int Weight { get; set; } = 1;
}

/// <summary>Requests that carry this header or cookie value always go to <see cref="Pool"/>.</summary>
public sealed class CanarySpec
{
    public string Pool { get; set; } = "";
    public NameValueSpec? Header { get; set; }
    public NameValueSpec? Cookie { get; set; }
}

public sealed class NameValueSpec
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

public sealed class RetrySpec
{
    public int Attempts { get; set; } = 1;
    /// <summary>connect-failure, reset, timeout, 502, 503, 504.</summary>
    public List<string>? On { get; set; }
    public Duration? PerTryTimeout { get; set; }
    /// <summary>Retry POST/PATCH too (only when the body was not streamed yet).</summary>
    public bool? NonIdempotent { get; set; }
    /// <summary>Retries may add at most this percentage of normal traffic.</summary>
    public int? BudgetPercent { get; set; }
}

public sealed class HeaderModifierSpec
{
    public Dictionary<string, string>? Set { get; set; }
    public Dictionary<string, string>? Add { get; set; }
    public List<string>? Remove { get; set; }
}

public sealed class TcpRouteSpec
{
    public string Listener { get; set; } = "";
    /// <summary>For TLS passthrough listeners: the SNI names this route takes.</summary>
    public List<string>? Hostnames { get; set; }
    public List<WeightedBackend>? Backends { get; set; }
}

public sealed class LoadBalancerPolicyStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition>? Conditions { get; set; }
    public List<string>? Addresses { get; set; }
    public List<CertificateStatus>? Certificates { get; set; }
    /// <summary>The effective split per route, e.g. <c>orders-v1=90,orders-v2=10</c>.</summary>
    public List<RouteSplitStatus>? Splits { get; set; }
}

public sealed class CertificateStatus
{
    public string Host { get; set; } = "";
    public DateTimeOffset? NotAfter { get; set; }
}

public sealed class RouteSplitStatus
{
    public string Route { get; set; } = "";
    public string Split { get; set; } = "";
}
