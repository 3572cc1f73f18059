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

/// <summary>The listeners of a policy and the routes that send their traffic to pools.</summary>
public sealed class LoadBalancerPolicySpec
{
    /// <summary>Ports Ballast listens on, each with a unique name.</summary>
    public List<ListenerSpec>? Listeners { get; set; }
    /// <summary>HTTP routes, matched by host, path, method, headers and query; the most specific match wins.</summary>
    public List<HttpRouteSpec>? Routes { get; set; }
    /// <summary>L4 routes: whole connections on a TCP, UDP or TLS passthrough listener go to pools.</summary>
    public List<TcpRouteSpec>? TcpRoutes { get; set; }
    /// <summary>
    /// Gateway API objects in this policy's namespace that spec.traffic applies to (policy attachment): HTTPRoutes,
    /// GRPCRoutes or Gateways (group gateway.networking.k8s.io). Such a policy needs no listeners.
    /// </summary>
    public List<PolicyTargetReference>? TargetRefs { get; set; }
    /// <summary>Rate limit, authentication and access control for the routes of targetRefs.</summary>
    public TrafficPolicySpec? Traffic { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ListenerProtocol>))]
public enum ListenerProtocol { HTTP, HTTPS, TCP, UDP, TLS }

/// <summary>A port Ballast listens on.</summary>
public sealed class ListenerSpec
{
    /// <summary>The listener's name, unique in the policy; routes name it in listeners.</summary>
    public string Name { get; set; } = "";
    /// <summary>The port to listen on.</summary>
    public int Port { get; set; }
    /// <summary>HTTP, HTTPS (needs tls), TCP, UDP, or TLS (passthrough by SNI).</summary>
    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.HTTP;
    /// <summary>The address to bind; all interfaces when absent.</summary>
    public string? Address { get; set; }
    /// <summary>Host names this listener serves; any when absent.</summary>
    public List<string>? Hostnames { get; set; }
    public ListenerTlsSpec? Tls { get; set; }
    /// <summary>Accept a PROXY protocol header from an upstream load balancer.</summary>
    public bool? AcceptProxyProtocol { get; set; }
    /// <summary>Most client connections open on this listener at once; further connections wait.</summary>
    public int? MaxConnections { get; set; }
    /// <summary>IP allow/deny lists for every request on this listener (checked before routing).</summary>
    public AccessControlSpec? AccessControl { get; set; }
    /// <summary>Client request headers whose names start with one of these prefixes (e.g. X-Internal-) are removed before routing, so clients cannot spoof internal headers.</summary>
    public List<string>? StripRequestHeaderPrefixes { get; set; }
    /// <summary>A line per request taken on this listener (routes may override it); off when absent.</summary>
    public AccessLogSpec? AccessLog { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TlsMode>))]
public enum TlsMode { Terminate, Passthrough }

/// <summary>TLS on a listener: terminated with certificates from Secrets, files or ACME, or passed through by SNI.</summary>
public sealed class ListenerTlsSpec
{
    /// <summary>Terminate (Ballast decrypts) or Passthrough (connections go to tcpRoutes by SNI, still encrypted).</summary>
    public TlsMode Mode { get; set; } = TlsMode.Terminate;
    /// <summary>Certificates to serve; the one whose names match the client's SNI is chosen.</summary>
    public List<CertificateReference>? Certificates { get; set; }
    public AcmeSpec? Acme { get; set; }
    /// <summary>Also answer plain HTTP on port 80 with a redirect to https.</summary>
    public bool? RedirectHttp { get; set; }
    /// <summary>Send Strict-Transport-Security with this max-age.</summary>
    public Duration? Hsts { get; set; }
}

/// <summary>A certificate and its key, from a Secret (Kubernetes) or PEM files (standalone).</summary>
public sealed class CertificateReference
{
    /// <summary>A <c>kubernetes.io/tls</c> Secret in the policy's namespace.</summary>
    public string? SecretRef { get; set; }
    /// <summary>A PEM certificate chain file (standalone mode), with keyFile.</summary>
    public string? CertificateFile { get; set; }
    /// <summary>The PEM private key file of certificateFile.</summary>
    public string? KeyFile { get; set; }
}

/// <summary>Certificates for the listener's hostnames obtained and renewed from an ACME CA (HTTP-01).</summary>
public sealed class AcmeSpec
{
    /// <summary>The ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory.</summary>
    public string Directory { get; set; } = "";
    /// <summary>Contact address registered with the ACME account.</summary>
    public string? Email { get; set; }
    /// <summary>A Secret that keeps the ACME account key, so a restart reuses the account.</summary>
    public string? AccountSecretRef { get; set; }
}

/// <summary>An HTTP route: which requests it takes and how they are forwarded.</summary>
public sealed class HttpRouteSpec
{
    /// <summary>The route's name, used in status, metrics and explain.</summary>
    public string? Name { get; set; }
    /// <summary>Names of this policy's listeners the route attaches to; every HTTP(S) listener when absent.</summary>
    public List<string>? Listeners { get; set; }
    public RouteMatchSpec? Match { get; set; }
    /// <summary>Pools that take the route's requests, split by weight.</summary>
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
    /// <summary>Headers set, added or removed on the request before it is forwarded.</summary>
    public HeaderModifierSpec? RequestHeaders { get; set; }
    /// <summary>Headers set, added or removed on the response before it reaches the client.</summary>
    public HeaderModifierSpec? ResponseHeaders { get; set; }
    public RateLimitSpec? RateLimit { get; set; }
    public AuthSpec? Auth { get; set; }
    /// <summary>IP allow/deny lists for this route (after the listener's).</summary>
    public AccessControlSpec? AccessControl { get; set; }
    /// <summary>Cross-origin requests: preflights answered here, CORS headers on responses.</summary>
    public CorsSpec? Cors { get; set; }
    /// <summary>Replace chosen error statuses with a page from another pool.</summary>
    public ErrorResponsesSpec? ErrorResponses { get; set; }
    /// <summary>Copies of the route's requests sent to other pools, fire and forget: their answers are discarded.</summary>
    public List<RouteMirrorSpec>? Mirrors { get; set; }
    /// <summary>Overrides the listener's access log for this route's requests (format Off: none).</summary>
    public AccessLogSpec? AccessLog { get; set; }
}

/// <summary>All given conditions must hold. At most one of path, pathPrefix, pathRegex.</summary>
public sealed class RouteMatchSpec
{
    /// <summary>Host names the request's Host must match (*.example.com matches one label); any when absent.</summary>
    public List<string>? Hosts { get; set; }
    /// <summary>The exact path (starts with /).</summary>
    public string? Path { get; set; }
    /// <summary>A path prefix, matched segment by segment (/api matches /api and /api/x, not /apix).</summary>
    public string? PathPrefix { get; set; }
    /// <summary>A regular expression the whole path must match (linear-time engine).</summary>
    public string? PathRegex { get; set; }
    /// <summary>HTTP methods the request must use, compared case-sensitively (GET, not get); any when absent.</summary>
    public List<string>? Methods { get; set; }
    /// <summary>Request headers that must match.</summary>
    public List<ValueMatchSpec>? Headers { get; set; }
    /// <summary>Query parameters that must match: names case-sensitive, and the first value of a repeated parameter.</summary>
    public List<ValueMatchSpec>? Query { get; set; }
}

/// <summary>A header or query parameter: equal to <c>value</c>, matching <c>regex</c>, or only present when neither is given.</summary>
public sealed class ValueMatchSpec
{
    /// <summary>The header or parameter name (header names case-insensitive, parameter names case-sensitive).</summary>
    public string Name { get; set; } = "";
    /// <summary>The exact value required.</summary>
    public string? Value { get; set; }
    /// <summary>A regular expression the whole value must match.</summary>
    public string? Regex { get; set; }
}

/// <summary>A pool and its share of the traffic.</summary>
public sealed class WeightedBackend
{
    /// <summary>A BackendPool in the policy's namespace.</summary>
    public string Pool { get; set; } = "";
    /// <summary>Relative share of traffic (0 sends none; the split is weight / sum of weights).</summary>
    public int Weight { get; set; } = 1;
}

/// <summary>
/// A copy of the route's requests to another pool (as Gateway API's RequestMirror): the copy is what the route's
/// backend gets (headers and rewrite applied), sent without delaying the request; its answer is read and discarded.
/// </summary>
public sealed class RouteMirrorSpec
{
    /// <summary>A BackendPool in the policy's namespace that gets the copies.</summary>
    public string Pool { get; set; } = "";
    /// <summary>How many of every hundred requests are copied (0 to 100), spread evenly.</summary>
    public int Percent { get; set; } = 100;
}

/// <summary>Requests that carry this header or cookie value always go to <see cref="Pool"/>.</summary>
public sealed class CanarySpec
{
    /// <summary>The BackendPool that takes matching requests.</summary>
    public string Pool { get; set; } = "";
    /// <summary>Requests with this header value go to the canary pool.</summary>
    public NameValueSpec? Header { get; set; }
    /// <summary>Requests with this cookie value go to the canary pool.</summary>
    public NameValueSpec? Cookie { get; set; }
}

/// <summary>A name and the exact value it must have.</summary>
public sealed class NameValueSpec
{
    /// <summary>The header or cookie name.</summary>
    public string Name { get; set; } = "";
    /// <summary>The exact value required.</summary>
    public string Value { get; set; } = "";
}

/// <summary>Retries of failed requests on another endpoint.</summary>
public sealed class RetrySpec
{
    /// <summary>Retries after the first try, of attempts that reached a backend; one that reached none is replayed to each other endpoint once (0 turns both off).</summary>
    public int Attempts { get; set; } = 1;
    /// <summary>connect-failure, reset, timeout, 502, 503, 504.</summary>
    public List<string>? On { get; set; }
    /// <summary>How long each try may take; the route's timeout when absent.</summary>
    public Duration? PerTryTimeout { get; set; }
    /// <summary>No replay or retry starts once this long has passed since the request's first try (nginx's proxy_next_upstream_timeout); 15s, or (attempts + 1) x perTryTimeout when longer, when absent; 0s: no bound.</summary>
    public Duration? TotalTimeout { get; set; }
    /// <summary>Retry POST/PATCH too (only when the body was not streamed yet).</summary>
    public bool? NonIdempotent { get; set; }
    /// <summary>Retries may add at most this percentage of normal traffic.</summary>
    public int? BudgetPercent { get; set; }
}

/// <summary>Header edits: set replaces, add appends, remove deletes.</summary>
public sealed class HeaderModifierSpec
{
    /// <summary>Headers set to these values, replacing any the message had.</summary>
    public Dictionary<string, string>? Set { get; set; }
    /// <summary>Headers added with these values, keeping any the message had: the added value is a field line of its own.</summary>
    public Dictionary<string, string>? Add { get; set; }
    /// <summary>Header names removed.</summary>
    public List<string>? Remove { get; set; }
}

/// <summary>An L4 route: every connection on a listener goes to pools.</summary>
public sealed class TcpRouteSpec
{
    /// <summary>The name of a TCP, UDP or TLS listener of this policy.</summary>
    public string Listener { get; set; } = "";
    /// <summary>For TLS passthrough listeners: the SNI names this route takes.</summary>
    public List<string>? Hostnames { get; set; }
    /// <summary>Pools that take the connections, split by weight.</summary>
    public List<WeightedBackend>? Backends { get; set; }
}

/// <summary>What the operator observed of this policy.</summary>
public sealed class LoadBalancerPolicyStatus
{
    /// <summary>The generation of the spec this status describes.</summary>
    public long? ObservedGeneration { get; set; }
    /// <summary>Accepted, ResolvedRefs, Programmed and CertificateReady, with reasons.</summary>
    public List<Condition>? Conditions { get; set; }
    /// <summary>
    /// Where clients reach the policy's listeners: the ingress Service's load-balancer addresses, the nodes' addresses
    /// (NodePort, hostNetwork) or the operator's configured ones. What ExternalDNS and <c>kubectl get</c> read.
    /// </summary>
    public List<PolicyAddress>? Addresses { get; set; }
    /// <summary>The certificates served, per host name, with their expiry.</summary>
    public List<CertificateStatus>? Certificates { get; set; }
    /// <summary>The effective split per route, e.g. <c>orders-v1=90,orders-v2=10</c>.</summary>
    public List<RouteSplitStatus>? Splits { get; set; }
}

/// <summary>One address of the ingress, as Gateway API's <c>status.addresses</c> writes it.</summary>
public sealed class PolicyAddress
{
    public const string IPAddress = "IPAddress";
    public const string Hostname = "Hostname";

    /// <summary><c>IPAddress</c> or <c>Hostname</c>.</summary>
    public string Type { get; set; } = IPAddress;
    /// <summary>The IP address or DNS name.</summary>
    public string Value { get; set; } = "";
}

/// <summary>A certificate the listeners serve.</summary>
public sealed class CertificateStatus
{
    /// <summary>The host name the certificate is for.</summary>
    public string Host { get; set; } = "";
    /// <summary>When the certificate expires.</summary>
    public DateTimeOffset? NotAfter { get; set; }
}

/// <summary>The weighted split one route runs with.</summary>
public sealed class RouteSplitStatus
{
    /// <summary>The route's name (or its index when unnamed).</summary>
    public string Route { get; set; } = "";
    /// <summary>Pools and their percentages, e.g. orders-v1=90,orders-v2=10.</summary>
    public string Split { get; set; } = "";
}
