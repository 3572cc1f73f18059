using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Ballast.Ingress.Routing;
using Ballast.Ingress.Transforms;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// One route of one snapshot, ready for the hot path: its matcher, its shares (canary override, then the weighted
/// split; each with its pool, forwarder settings, transformer and invoker), its mirrors and its cached metric children.
/// </summary>
public sealed class RouteRuntime
{
    private readonly RouteShare?[] _shares;
    private readonly WeightedSequence _split;
    private readonly string[] _poolIds;
    private readonly int[] _weights;
    private readonly int _canaryIndex = -1;
    private readonly CanarySnapshot? _canary;

    public RouteRuntime(RouteSnapshot config, IReadOnlyDictionary<string, PoolRuntime> pools, IngressMetrics metrics, HealthServices? health = null,
        TimeProvider? time = null, RoutePolicies? previousPolicies = null, Redis.RedisConnection? redis = null, Http.ListenerShutdown? shutdown = null,
        RetryBudget? previousRetryBudget = null)
    {
        Config = config;
        Id = config.Id;
        Matcher = new RequestMatcher(config.Match);
        var backends = config.Backends.ToList();
        var weights = backends.Select(b => pools.ContainsKey(b.PoolId) || b.Status is not null ? b.Weight : 0).ToList();
        if (config.Canary is { } canary && (canary.HeaderName is not null || canary.CookieName is not null))
        {
            _canary = canary;
            _canaryIndex = backends.FindIndex(b => b.PoolId == canary.PoolId);
            if (_canaryIndex < 0)
            {
                // The canary pool takes no share of the split, only the forced requests.
                backends.Add(new BackendSnapshot(canary.PoolId, 0));
                weights.Add(0);
                _canaryIndex = backends.Count - 1;
            }
        }
        _poolIds = [.. backends.Select(b => b.PoolId)];
        _weights = [.. weights];
        _split = new WeightedSequence(weights);
        Cors = CorsResponder.Create(config.Cors);
        ErrorPages = config.ErrorResponses is { } errors ? new ErrorStatuses(errors) : null;
        ErrorPool = config.ErrorResponses is { } e ? pools.GetValueOrDefault(e.PoolId) : null;
        var rewrite = RequestRewrite.Create(config);
        Transformer = new ForwardingTransformer(config.RequestHeaders, config.ResponseHeaders, rewrite, shutdown, Cors, ErrorPages);
        RequestAdds = AddedFieldLines.Of(config.RequestHeaders, null);
        Shaping = RouteShaping.Create(config, ShapingMetrics.Of(metrics.Registry), time ?? TimeProvider.System);
        Metrics = new RouteMetrics(metrics, Id);
        Policies = RoutePolicies.Create(config, PolicyMetrics.Of(metrics.Registry), time ?? TimeProvider.System, previousPolicies, redis);
        Retry = config.Retries is { Attempts: > 0 } retries
            ? new RouteRetry(retries, health?.Time ?? TimeProvider.System, health?.Metrics, Id, previousRetryBudget)
            : null;
        // The forwarder's activity (idle) timeout: idleTimeout, else the route timeout (which also bounds the whole request).
        var idle = config.IdleTimeout ?? config.Timeout;
        _shares = [.. backends.Select(b => Share(b, pools.GetValueOrDefault(b.PoolId), idle, rewrite, shutdown))];
        var mirrors = config.Mirrors.Where(m => pools.ContainsKey(m.PoolId)).ToList();
        Mirrors = mirrors.Count == 0 ? null : [.. mirrors.Select(m => new RouteMirror(m, pools[m.PoolId], MirrorMetrics.Of(metrics.Registry), Id))];
    }

    /// <summary>
    /// A share's forwarding parts. Backends without header rules of their own share the route's transformer, and
    /// the pool's invoker is used as it is unless some rule adds a header value (see <see cref="AddedFieldLines"/>).
    /// </summary>
    private RouteShare? Share(BackendSnapshot backend, PoolRuntime? pool, TimeSpan? idle, RequestRewrite? rewrite, Http.ListenerShutdown? shutdown)
    {
        if (pool is null) return backend.Status is { } status ? new RouteShare { FixedStatus = status } : null;
        var transformer = backend.RequestHeaders is null && backend.ResponseHeaders is null
            ? Transformer
            : new ForwardingTransformer(Config.RequestHeaders, Config.ResponseHeaders, rewrite, shutdown, Cors, ErrorPages, backend.RequestHeaders, backend.ResponseHeaders);
        var adds = AddedFieldLines.Of(Config.RequestHeaders, backend.RequestHeaders);
        return new RouteShare
        {
            Pool = pool,
            RequestConfig = PoolTransport.RequestConfig(pool.Config.Protocol, idle),
            Transformer = transformer,
            RetryTransformer = Retry?.Wrap(transformer) ?? transformer,
            Invoker = adds.Length == 0 ? pool.Invoker : AddedFieldLines.Invoker(pool.Invoker, adds),
        };
    }

    public string Id { get; }
    public RouteSnapshot Config { get; }
    public RequestMatcher Matcher { get; }
    /// <summary>What the route's match requires, in words ("path under /api", "method GET"); for the admin views.</summary>
    public IReadOnlyList<string> Requirements => Matcher.Requirements();
    public ForwardingTransformer Transformer { get; }
    public RouteMetrics Metrics { get; }
    /// <summary>Access list, JWT and rate limit, run before a pool is chosen; null when the route has none.</summary>
    public RoutePolicies? Policies { get; }
    /// <summary>Redirect, body-size limit and request timeout; null when the route has none.</summary>
    public RouteShaping? Shaping { get; }
    /// <summary>CORS preflights and headers; null when the route has none.</summary>
    public CorsResponder? Cors { get; }
    /// <summary>Custom error responses; null when the route has none.</summary>
    public ErrorStatuses? ErrorPages { get; }
    /// <summary>The pool that renders the error pages (null when the route has none, or it is missing).</summary>
    public PoolRuntime? ErrorPool { get; }
    /// <summary>The route's retry policy and budget; null when the route does not retry.</summary>
    public RouteRetry? Retry { get; }

    /// <summary>The route's RequestMirror filters whose pools exist; null when it has none (those routes pay one null check).</summary>
    public RouteMirror[]? Mirrors { get; }
    /// <summary>The route's request <c>add</c> values (for copies sent to mirrors; forwarded requests get them from their share's invoker).</summary>
    public KeyValuePair<string, string>[] RequestAdds { get; }

    /// <summary>
    /// The share for this request (canary override first, then the split); false when it has no pool, with the
    /// status it answers in <paramref name="fixedStatus"/> (0: none, the caller answers 503).
    /// </summary>
    public bool TrySelectShare(HttpRequest request, out RouteShare share, out int fixedStatus)
    {
        var index = _canaryIndex >= 0 && IsCanaryRequest(request) ? _canaryIndex : _split.Next();
        var selected = index >= 0 ? _shares[index] : null;
        if (selected is { Pool: not null })
        {
            share = selected;
            fixedStatus = 0;
            return true;
        }
        share = null!;
        fixedStatus = selected?.FixedStatus ?? 0;
        return false;
    }

    /// <summary>
    /// For explain: where this request can go without taking a turn of the split. The canary share alone when the
    /// canary override applies (<paramref name="canary"/> true), else every share with a weight.
    /// </summary>
    public IReadOnlyList<RouteShareView> Shares(HttpRequest request, out bool canary)
    {
        canary = _canaryIndex >= 0 && IsCanaryRequest(request);
        if (canary) return [ShareView(_canaryIndex)];
        return [.. Enumerable.Range(0, _shares.Length).Where(i => _weights[i] > 0).Select(ShareView)];
    }

    private RouteShareView ShareView(int index) =>
        new(_poolIds[index], _weights[index], _shares[index]?.Pool, _shares[index] is { FixedStatus: > 0 } fixedShare ? fixedShare.FixedStatus : null);

    private bool IsCanaryRequest(HttpRequest request)
    {
        var canary = _canary!;
        if (canary.HeaderName is { } header)
        {
            foreach (var value in request.Headers[header])
            {
                if (canary.HeaderValue is null || string.Equals(value, canary.HeaderValue, StringComparison.Ordinal)) return true;
            }
        }
        if (canary.CookieName is { } cookie && request.Headers.Cookie.Count > 0)
        {
            if (request.Cookies.TryGetValue(cookie, out var value) && string.Equals(value, canary.CookieValue, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}

/// <summary>A share of a route's traffic as explain shows it: the pool (null when it is missing), its weight, or the status it answers instead.</summary>
public sealed record RouteShareView(string PoolId, int Weight, PoolRuntime? Pool, int? Status);
