using System.Collections.Immutable;
using Ballast.Model.Resources;

namespace Ballast.Model.Snapshots;

/// <summary>
/// Everything an ingress replica needs, resolved and validated, nothing it must look up.
/// Immutable and versioned; replicas swap to a new one atomically. Compiled by the Compiler from
/// resources; serialised as JSON to replicas and to the last-known-good file on disk.
/// </summary>
public sealed record Snapshot
{
    /// <summary>Monotonic version assigned by whoever publishes (the operator or the file provider).</summary>
    public long Version { get; init; }

    /// <summary>Hash of the content (everything but <see cref="Version"/>): equal hashes mean the same data plane.</summary>
    public string ContentHash { get; init; } = "";

    public ImmutableArray<ListenerSnapshot> Listeners { get; init; } = [];
    public ImmutableArray<PoolSnapshot> Pools { get; init; } = [];

    /// <summary>The generation of each resource this snapshot was compiled from ("Kind ns/name" → generation).</summary>
    public ImmutableDictionary<string, long> Generations { get; init; } = ImmutableDictionary<string, long>.Empty;

    /// <summary>
    /// Pending ACME HTTP-01 challenges (token → key authorization): every replica answers
    /// <c>/.well-known/acme-challenge/{token}</c> on its HTTP listeners from here, whichever replica ordered.
    /// </summary>
    public ImmutableDictionary<string, string> AcmeChallenges { get; init; } = ImmutableDictionary<string, string>.Empty;

    public static readonly Snapshot Empty = new();
}

public enum ListenerKind { Http, Https, Tcp, Udp, TlsPassthrough }

public sealed record ListenerSnapshot
{
    public string Name { get; init; } = "";
    /// <summary>The IP address to bind ("0.0.0.0" for all IPv4 interfaces, "::" for all).</summary>
    public string Address { get; init; } = "0.0.0.0";
    public int Port { get; init; }
    /// <summary>
    /// The port clients reach this listener on when it is not <see cref="Port"/> (in a cluster: the ingress Service's
    /// port that targets this container port); null: <see cref="Port"/>. Redirects that keep the scheme name it.
    /// </summary>
    public int? PublicPort { get; init; }
    public ListenerKind Kind { get; init; }
    /// <summary>HTTP routes, in match order: the first that matches wins (see docs/routing.md for the precedence).</summary>
    public ImmutableArray<RouteSnapshot> Routes { get; init; } = [];
    /// <summary>L4 routes (TCP, UDP, TLS passthrough by SNI).</summary>
    public ImmutableArray<L4RouteSnapshot> L4Routes { get; init; } = [];
    public bool AcceptProxyProtocol { get; init; }
    public int? MaxConnections { get; init; }
    public AccessControlSnapshot? AccessControl { get; init; }
    /// <summary>Request header name prefixes removed from client requests before routing (e.g. "X-Internal-").</summary>
    public ImmutableArray<string> StripRequestHeaderPrefixes { get; init; } = [];
    /// <summary>TLS termination (HTTPS listeners): the certificates, resolved to PEM, and the redirect/HSTS options.</summary>
    public ListenerTlsSnapshot? Tls { get; init; }
    /// <summary>The access log of requests no route takes (routes carry their own); null: off.</summary>
    public AccessLogSnapshot? AccessLog { get; init; }
}

public sealed record ListenerTlsSnapshot
{
    /// <summary>
    /// Certificates to choose from by SNI (exact names, then one-label wildcards from each certificate's DNS names).
    /// The first is the default for clients that send no SNI or an unknown name.
    /// </summary>
    public ImmutableArray<ListenerCertificateSnapshot> Certificates { get; init; } = [];
    /// <summary>HTTP listeners of the same hostnames answer 308 to https on this listener's public port (<see cref="ListenerSnapshot.PublicPort"/>).</summary>
    public bool RedirectHttp { get; init; }
    /// <summary>Strict-Transport-Security max-age sent on responses of this listener; null: no header.</summary>
    public TimeSpan? Hsts { get; init; }
    /// <summary>The host names this listener serves (lower case); the redirect applies to these (all when empty).</summary>
    public ImmutableArray<string> Hostnames { get; init; } = [];
    /// <summary>
    /// Gateway API HTTPS listeners sharing this port: the hostname of each ("" for one without). A request whose Host
    /// belongs to another of them than its TLS SNI does is answered 421 Misdirected Request (a client reusing a
    /// connection for a host of another listener, and maybe of another certificate, must open its own). Empty: no check.
    /// </summary>
    public ImmutableArray<string> SniListeners { get; init; } = [];
}

/// <summary>A server certificate: the chain (leaf first) and its private key, as PEM.</summary>
public sealed record ListenerCertificateSnapshot
{
    /// <summary>Where it came from, for logs and status: <c>secret ns/name</c>, <c>file path</c> or <c>acme ns/policy/listener</c>.</summary>
    public string Source { get; init; } = "";
    public string CertificatePem { get; init; } = "";
    public string KeyPem { get; init; } = "";
}

public sealed record RouteSnapshot
{
    /// <summary>Stable id for metrics and logs: <c>namespace/policy/route-name-or-index</c>.</summary>
    public string Id { get; init; } = "";
    public MatchSnapshot Match { get; init; } = new();
    public ImmutableArray<BackendSnapshot> Backends { get; init; } = [];
    public CanarySnapshot? Canary { get; init; }
    /// <summary>Whole-request timeout (504), retries included.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Idle (activity) timeout of the forwarder; falls back to <see cref="Timeout"/>.</summary>
    public TimeSpan? IdleTimeout { get; init; }
    public long? MaxRequestBodyBytes { get; init; }
    public RewriteSnapshot? Rewrite { get; init; }
    /// <summary>When set, the route answers with this redirect and has no backends.</summary>
    public RedirectSnapshot? Redirect { get; init; }
    public RetrySnapshot? Retries { get; init; }
    public HeaderRulesSnapshot? RequestHeaders { get; init; }
    public HeaderRulesSnapshot? ResponseHeaders { get; init; }
    /// <summary>Copies of the request to other pools (Gateway API RequestMirror).</summary>
    public ImmutableArray<MirrorSnapshot> Mirrors { get; init; } = [];
    public RateLimitSnapshot? RateLimit { get; init; }
    public JwtAuthSnapshot? Jwt { get; init; }
    public ApiKeyAuthSnapshot? ApiKey { get; init; }
    public BasicAuthSnapshot? BasicAuth { get; init; }
    public ExternalAuthSnapshot? ExternalAuth { get; init; }
    public AccessControlSnapshot? AccessControl { get; init; }
    /// <summary>CORS answered by the proxy: preflights, and headers on responses to allowed origins.</summary>
    public CorsSnapshot? Cors { get; init; }
    /// <summary>Error statuses replaced by a page from another pool.</summary>
    public ErrorResponsesSnapshot? ErrorResponses { get; init; }
    /// <summary>The access log of this route's requests on its listener (the route's own, else its listener's); null: off.</summary>
    public AccessLogSnapshot? AccessLog { get; init; }
}

public enum PathMatchKind { Any, Exact, Prefix, Regex }

public sealed record MatchSnapshot
{
    /// <summary>Lower-case host names; a leading "*." is a wildcard for one or more labels. Empty: any host.</summary>
    public ImmutableArray<string> Hosts { get; init; } = [];
    public PathMatchKind PathKind { get; init; } = PathMatchKind.Any;
    public string Path { get; init; } = "";
    /// <summary>Upper-case methods. Empty: any method.</summary>
    public ImmutableArray<string> Methods { get; init; } = [];
    public ImmutableArray<ValueMatchSnapshot> Headers { get; init; } = [];
    public ImmutableArray<ValueMatchSnapshot> Query { get; init; } = [];
}

public enum ValueMatchKind { Present, Exact, Regex }

public sealed record ValueMatchSnapshot(string Name, ValueMatchKind Kind, string Value);

/// <summary>A weighted share of a route's traffic: a pool, or a fixed answer.</summary>
public sealed record BackendSnapshot(string PoolId, int Weight)
{
    /// <summary>
    /// Answer this status instead of forwarding (then <see cref="PoolId"/> is ""): the share of a Gateway API backendRef
    /// that does not resolve answers 500 while the route's other backends keep serving.
    /// </summary>
    public int? Status { get; init; }
    /// <summary>Header rules for requests sent to this backend only (after the route's).</summary>
    public HeaderRulesSnapshot? RequestHeaders { get; init; }
    /// <summary>Header rules for responses from this backend only (before the route's).</summary>
    public HeaderRulesSnapshot? ResponseHeaders { get; init; }
}

/// <summary>
/// A copy of matching requests sent to another pool, fire and forget: its answer is discarded and it never delays
/// or fails the real request. <see cref="Numerator"/>/<see cref="Denominator"/> of the requests are mirrored.
/// </summary>
public sealed record MirrorSnapshot(string PoolId, int Numerator = 100, int Denominator = 100);

public sealed record CanarySnapshot
{
    public string PoolId { get; init; } = "";
    public string? HeaderName { get; init; }
    public string? HeaderValue { get; init; }
    public string? CookieName { get; init; }
    public string? CookieValue { get; init; }
}

[Flags]
public enum RetryOn
{
    None = 0,
    ConnectFailure = 1,
    Reset = 2,
    Timeout = 4,
    Status502 = 8,
    Status503 = 16,
    Status504 = 32,
}

public sealed record RetrySnapshot
{
    /// <summary>
    /// What a route without <c>retries</c> gets: an attempt that could not connect (any method), or was reset before
    /// any response byte (idempotent methods, no body byte sent), is replayed to every other endpoint of the pool once,
    /// outside the budget and the attempts (nginx's default <c>proxy_next_upstream error</c>; it is what keeps a
    /// backend rollout free of failed requests); a reset after the response head is retried once, within the default
    /// budget. <c>retries: { attempts: 0 }</c> turns it off.
    /// </summary>
    public static readonly RetrySnapshot Default = new() { Attempts = 1, On = RetryOn.ConnectFailure | RetryOn.Reset };

    public int Attempts { get; init; }
    public RetryOn On { get; init; }
    public TimeSpan? PerTryTimeout { get; init; }
    /// <summary>
    /// No replay or retry starts once this long has passed since the first attempt started (zero: no bound). The
    /// attempt running then is not cut: the route's <c>timeout</c> bounds the whole request.
    /// </summary>
    public TimeSpan TotalTimeout { get; init; } = DefaultTotalTimeout;
    public bool NonIdempotent { get; init; }
    public int BudgetPercent { get; init; } = 20;

    /// <summary>
    /// Without it, a pool of unreachable endpoints behind a long connect timeout costs one request every endpoint's
    /// connect timeout in a row (replays are bounded only by the pool). 15 s is Envoy's default route timeout, the
    /// one that bounds all of its retries: three 5 s connect timeouts (the pool default), while a rollout's replays,
    /// refused or reset at once, never come near it.
    /// </summary>
    public static TimeSpan DefaultTotalTimeout => TimeSpan.FromSeconds(15); // a property: Default above is built first
}

/// <summary>Header changes in this order: remove, set (replaces every value), add (one more value beside those present).</summary>
public sealed record HeaderRulesSnapshot
{
    public ImmutableArray<KeyValuePair<string, string>> Set { get; init; } = [];
    public ImmutableArray<KeyValuePair<string, string>> Add { get; init; } = [];
    public ImmutableArray<string> Remove { get; init; } = [];
}

public sealed record L4RouteSnapshot
{
    public string Id { get; init; } = "";
    /// <summary>SNI names for TLS passthrough; empty for plain TCP/UDP.</summary>
    public ImmutableArray<string> Hostnames { get; init; } = [];
    public ImmutableArray<BackendSnapshot> Backends { get; init; } = [];
}

public sealed record PoolSnapshot
{
    /// <summary><c>namespace/name</c>.</summary>
    public string Id { get; init; } = "";
    public PoolProtocol Protocol { get; init; }
    public LoadBalancingSnapshot LoadBalancing { get; init; } = new();
    public ImmutableArray<EndpointSnapshot> Endpoints { get; init; } = [];
    public ActiveHealthSnapshot? ActiveHealth { get; init; }
    public PassiveHealthSnapshot? PassiveHealth { get; init; }
    public int PanicThresholdPercent { get; init; } = 50;
    public TimeSpan? SlowStart { get; init; }
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public SessionAffinitySnapshot? SessionAffinity { get; init; }
    public BackendTlsSnapshot? Tls { get; init; }
    public CircuitBreakerSnapshot? CircuitBreaker { get; init; }
    public ProxyProtocolVersion ProxyProtocol { get; init; }
}

public sealed record EndpointSnapshot
{
    /// <summary>Host name or IP literal (no brackets).</summary>
    public string Host { get; init; } = "";
    public int Port { get; init; }
    public int Weight { get; init; } = 1;
    public bool Backup { get; init; }
    /// <summary>Terminating but still serving (Kubernetes): used only when no ready endpoint remains.</summary>
    public bool Draining { get; init; }

    /// <summary><c>host:port</c>, <c>[v6]:port</c> for IPv6; stable identity of the endpoint across snapshots.</summary>
    public string Id => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

public enum HashSource { ClientIp, Header, Cookie, Query, Path }

public sealed record LoadBalancingSnapshot
{
    public LoadBalancingAlgorithm Algorithm { get; init; } = LoadBalancingAlgorithm.RoundRobin;
    public HashSource HashSource { get; init; } = HashSource.ClientIp;
    /// <summary>Header, cookie or query parameter name for those sources.</summary>
    public string? HashName { get; init; }
    public HashFallback HashFallback { get; init; } = HashFallback.ClientIp;
    public int VirtualNodes { get; init; } = 150;
    public int TableSize { get; init; } = 65537;
    public double BoundedLoadFactor { get; init; } = 0.25;
}

public enum ActiveCheckKind { Http, Tcp, Grpc }

public sealed record ActiveHealthSnapshot
{
    public ActiveCheckKind Kind { get; init; }
    public string Path { get; init; } = "/";
    public string Method { get; init; } = "GET";
    public string? Host { get; init; }
    /// <summary>Inclusive ranges of acceptable status codes.</summary>
    public ImmutableArray<StatusRange> ExpectStatus { get; init; } = [new(200, 399)];
    public string? BodyContains { get; init; }
    public string? GrpcService { get; init; }
    public int? Port { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    public int JitterPercent { get; init; } = 10;
    public int UnhealthyThreshold { get; init; } = 3;
    public int HealthyThreshold { get; init; } = 2;
}

public readonly record struct StatusRange(int From, int To)
{
    public bool Contains(int status) => status >= From && status <= To;
}

public sealed record PassiveHealthSnapshot
{
    /// <summary>
    /// What a pool without <c>healthCheck.passive</c> gets: an endpoint that refuses a connection (or cannot be
    /// reached) is ejected at once for 10 s, doubling on repeats (nginx's <c>max_fails=1 fail_timeout=10s</c>, for
    /// connect failures only: a 5xx or a reset says less about the endpoint than a refused connection).
    /// </summary>
    public static readonly PassiveHealthSnapshot ConnectFailureDefault = new()
    {
        ConsecutiveFailures = 1,
        EjectionTime = TimeSpan.FromSeconds(10),
        ConnectFailuresOnly = true,
    };

    /// <summary>Only connect failures count (the default without <c>healthCheck.passive</c>); other outcomes are neutral.</summary>
    public bool ConnectFailuresOnly { get; init; }
    public int ConsecutiveFailures { get; init; } = 5;
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxEjectionPercent { get; init; } = 50;
}

public sealed record SessionAffinitySnapshot
{
    public AffinityType Type { get; init; }
    public string CookieName { get; init; } = "BALLAST";
    public string? HeaderName { get; init; }
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);
    public bool Secure { get; init; }
    public bool HttpOnly { get; init; } = true;
    public SameSiteMode SameSite { get; init; } = SameSiteMode.Lax;
    public string Path { get; init; } = "/";
    public string? Domain { get; init; }
}

public sealed record BackendTlsSnapshot
{
    /// <summary>PEM bundle of trusted CAs (resolved from a Secret or a file by whoever built the input).</summary>
    public string? CaPem { get; init; }
    public string? ServerName { get; init; }
    public string? ClientCertificatePem { get; init; }
    public string? ClientKeyPem { get; init; }
    public bool InsecureSkipVerify { get; init; }
}

public sealed record CircuitBreakerSnapshot
{
    public int? MaxConnections { get; init; }
    public int? MaxPendingRequests { get; init; }
    public int? MaxRequests { get; init; }
    public int? MaxRetries { get; init; }
}
