using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Ballast.Ingress.Routing;
using Ballast.Ingress.Transforms;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// One route of one snapshot, ready for the hot path: its matcher, its pools (canary override, then the
/// weighted split), the forwarder settings per pool, its header transformer and its cached metric children.
/// </summary>
public sealed class RouteRuntime
{
    private readonly PoolRuntime?[] _pools;
    /// <summary>Per share: the status it answers instead of forwarding (Gateway API's invalid backendRef: 500), else 0.</summary>
    private readonly int[] _fixedStatuses;
    private readonly ForwarderRequestConfig[] _requestConfigs;
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
        var poolIds = config.Backends.Select(b => b.PoolId).ToList();
        var weights = config.Backends.Select(b => pools.ContainsKey(b.PoolId) || b.Status is not null ? b.Weight : 0).ToList();
        var fixedStatuses = config.Backends.Select(b => b.Status ?? 0).ToList();
        if (config.Canary is { } canary && (canary.HeaderName is not null || canary.CookieName is not null))
        {
            _canary = canary;
            _canaryIndex = poolIds.IndexOf(canary.PoolId);
            if (_canaryIndex < 0)
            {
                // The canary pool takes no share of the split, only the forced requests.
                poolIds.Add(canary.PoolId);
                weights.Add(0);
                fixedStatuses.Add(0);
                _canaryIndex = poolIds.Count - 1;
            }
        }
        _pools = [.. poolIds.Select(id => pools.TryGetValue(id, out var p) ? p : null)];
        _poolIds = [.. poolIds];
        _weights = [.. weights];
        _fixedStatuses = [.. fixedStatuses];
        // The forwarder's activity (idle) timeout: idleTimeout, else the route timeout (which also bounds the whole request).
        var idle = config.IdleTimeout ?? config.Timeout;
        _requestConfigs = [.. _pools.Select(p => PoolTransport.RequestConfig(p?.Config.Protocol ?? PoolProtocol.HTTP1, idle))];
        _split = new WeightedSequence(weights);
        Cors = CorsResponder.Create(config.Cors);
        ErrorPages = config.ErrorResponses is { } errors ? new ErrorStatuses(errors) : null;
        ErrorPool = config.ErrorResponses is { } e ? pools.GetValueOrDefault(e.PoolId) : null;
        Transformer = new ForwardingTransformer(config.RequestHeaders, config.ResponseHeaders, RequestRewrite.Create(config), shutdown, Cors, ErrorPages);
        Shaping = RouteShaping.Create(config, ShapingMetrics.Of(metrics.Registry), time ?? TimeProvider.System);
        Metrics = new RouteMetrics(metrics, Id);
        Policies = RoutePolicies.Create(config, PolicyMetrics.Of(metrics.Registry), time ?? TimeProvider.System, previousPolicies, redis);
        Retry = config.Retries is { Attempts: > 0 } retries
            ? new RouteRetry(retries, Transformer, health?.Time ?? TimeProvider.System, health?.Metrics, Id, previousRetryBudget)
            : null;
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

    /// <summary>The pool for this request (canary override first, then the split) and its forwarder settings; false when none.</summary>
    public bool TrySelectPool(HttpRequest request, out PoolRuntime pool, out ForwarderRequestConfig requestConfig) =>
        TrySelectPool(request, out pool, out requestConfig, out _);

    /// <summary>As above; when the chosen share answers by itself, false with its status in <paramref name="fixedStatus"/> (else 0).</summary>
    public bool TrySelectPool(HttpRequest request, out PoolRuntime pool, out ForwarderRequestConfig requestConfig, out int fixedStatus)
    {
        var index = _canaryIndex >= 0 && IsCanaryRequest(request) ? _canaryIndex : _split.Next();
        fixedStatus = index >= 0 ? _fixedStatuses[index] : 0;
        if (index >= 0 && _pools[index] is { } selected)
        {
            pool = selected;
            requestConfig = _requestConfigs[index];
            return true;
        }
        pool = null!;
        requestConfig = null!;
        return false;
    }

    /// <summary>
    /// For explain: where this request can go without taking a turn of the split. The canary share alone when the
    /// canary override applies (<paramref name="canary"/> true), else every share with a weight.
    /// </summary>
    public IReadOnlyList<RouteShare> Shares(HttpRequest request, out bool canary)
    {
        canary = _canaryIndex >= 0 && IsCanaryRequest(request);
        if (canary) return [Share(_canaryIndex)];
        return [.. Enumerable.Range(0, _pools.Length).Where(i => _weights[i] > 0).Select(Share)];
    }

    private RouteShare Share(int index) =>
        new(_poolIds[index], _weights[index], _pools[index], _fixedStatuses[index] == 0 ? null : _fixedStatuses[index]);

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
public sealed record RouteShare(string PoolId, int Weight, PoolRuntime? Pool, int? Status);
