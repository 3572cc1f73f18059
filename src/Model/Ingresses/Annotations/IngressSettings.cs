using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>
/// What the annotations of one Ingress ask for, already in Ballast's terms. The translator applies it to
/// every route and pool the Ingress produces; fields left null keep Ballast's (or ingress-nginx's) default.
/// </summary>
public sealed class IngressSettings
{
    // Paths and redirects.
    public bool UseRegex { get; set; }
    /// <summary>The rewrite-target substitution (<c>/$2</c>); the paths become regexes when set.</summary>
    public string? RewriteTarget { get; set; }
    /// <summary>ssl-redirect: null keeps the default (redirect the hosts that have TLS).</summary>
    public bool? SslRedirect { get; set; }
    public bool ForceSslRedirect { get; set; }
    public string? AppRoot { get; set; }
    /// <summary>permanent-redirect / temporal-redirect: every path of the Ingress answers with it.</summary>
    public RedirectSpec? Redirect { get; set; }

    // Pools.
    public PoolProtocol Protocol { get; set; } = PoolProtocol.HTTP1;
    /// <summary>HTTPS/GRPCS: TLS to the backend, unverified as ingress-nginx's default (proxy-ssl-verify off).</summary>
    public bool BackendTls { get; set; }
    public Duration? ConnectTimeout { get; set; }
    public SessionAffinitySpec? Affinity { get; set; }
    public LoadBalancingSpec? LoadBalancing { get; set; }

    // Routes.
    public long? MaxRequestBodyBytes { get; set; }
    public Duration? IdleTimeout { get; set; }
    public RetrySpec? Retries { get; set; }
    public RateLimitSpec? RateLimit { get; set; }
    public AccessControlSpec? AccessControl { get; set; }
    public AuthSpec? Auth { get; set; }
    public CorsSpec? Cors { get; set; }
    public Dictionary<string, string>? SetRequestHeaders { get; set; }
    public string? UpstreamHost { get; set; }
    /// <summary>custom-http-errors: the statuses replaced by a page from <see cref="DefaultBackend"/>.</summary>
    public List<int>? ErrorStatuses { get; set; }
    /// <summary>default-backend: a Service name in the Ingress's namespace (error pages, and requests whose pool has no endpoint).</summary>
    public string? DefaultBackend { get; set; }

    /// <summary>mirror-target: where every request of the Ingress is copied.</summary>
    public MirrorTarget? Mirror { get; set; }

    // Canary.
    public CanarySettings? Canary { get; set; }
}

/// <summary>Where copies go: a Service of the Ingress's namespace, or one address (an IPv6 one without brackets).</summary>
public sealed record MirrorTarget(string? Service, string? Address, int Port, bool Tls);

/// <summary>The <c>canary-*</c> annotations of a canary Ingress.</summary>
public sealed class CanarySettings
{
    public int? Weight { get; set; }
    public int WeightTotal { get; set; } = 100;
    public string? Header { get; set; }
    public string? HeaderValue { get; set; }
    public string? HeaderPattern { get; set; }
    public string? Cookie { get; set; }
}
