using System.Collections.Frozen;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Ballast.Ingress.Routing;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// Holds the state the proxy serves from. <see cref="Apply"/> builds a new immutable
/// <see cref="DataPlaneState"/> from a snapshot (off the hot path, one apply at a time) and publishes it
/// with one volatile write: routes, pools and balancers switch together, in-flight requests finish on the
/// state they started with. Pools carry over by id (endpoint counters, keep-alive connections).
/// </summary>
public sealed class DataPlane : IDisposable
{
    private readonly BalancerFactory _balancerFactory;
    private readonly IngressMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HealthServices _health;
    private readonly Redis.RedisConnection? _redis;
    private readonly Lock _applyLock = new();
    private volatile DataPlaneState _current = DataPlaneState.Empty;
    private long _appliedCount;
    /// <summary>Each route's policy chain by route id, so the next apply can carry rate-limit state over.</summary>
    private Dictionary<string, Policies.RoutePolicies> _policiesByRoute = new(StringComparer.Ordinal);
    private readonly SeriesRetirement _seriesRetirement;
    private readonly Http.ListenerShutdown? _shutdown;

    public DataPlane(BalancerFactory balancerFactory, IngressMetrics metrics, TimeProvider time, ILogger<DataPlane> logger, HealthServices? health = null,
        Redis.RedisConnection? redis = null, Http.ListenerShutdown? shutdown = null)
    {
        _redis = redis; // global rate limits share the ingress's one Redis connection
        _shutdown = shutdown; // responses of a closing replica say Connection: close (see ForwardingTransformer)
        _health = health ?? new HealthServices(time, logger, new HealthMetrics(metrics.Registry)) { BackendTls = BackendTlsReporter.Of(metrics.Registry) };
        _balancerFactory = balancerFactory;
        _metrics = metrics;
        _seriesRetirement = new SeriesRetirement(metrics.Series);
        _time = time;
        _logger = logger;
    }

    /// <summary>The state requests start on now.</summary>
    public DataPlaneState Current => _current;

    /// <summary>True once any snapshot has been applied.</summary>
    public bool HasSnapshot => Interlocked.Read(ref _appliedCount) > 0;

    /// <summary>Raised after a new state is published (listeners follow it).</summary>
    public event Action<DataPlaneState>? Applied;

    public void Apply(Snapshot snapshot)
    {
        // Reject what no balancer can be built from before any pool is touched (the Compiler checks it too).
        foreach (var pool in snapshot.Pools) LoadBalancerRegistry.Validate(pool.LoadBalancing);

        DataPlaneState next;
        lock (_applyLock)
        {
            var previous = _current;
            var retired = new List<HttpMessageInvoker>();
            var pools = new Dictionary<string, PoolRuntime>(StringComparer.Ordinal);
            foreach (var poolConfig in snapshot.Pools)
            {
                if (pools.ContainsKey(poolConfig.Id)) continue;
                if (previous.Pools.TryGetValue(poolConfig.Id, out var pool))
                {
                    if (pool.Update(poolConfig) is { } old) retired.Add(old);
                }
                else
                {
                    pool = new PoolRuntime(poolConfig, _balancerFactory, _metrics, _health);
                }
                pools[poolConfig.Id] = pool;
            }
            foreach (var (id, pool) in previous.Pools)
            {
                if (pools.ContainsKey(id)) continue;
                retired.Add(pool.Invoker);
                pool.Dispose(); // stops its health checks; in-flight requests finish on the retired invoker
            }

            var routers = new Dictionary<int, ListenerRouter>();
            var policies = new Dictionary<string, Policies.RoutePolicies>(StringComparer.Ordinal);
            foreach (var listener in snapshot.Listeners)
            {
                if (listener.Kind is not (ListenerKind.Http or ListenerKind.Https)) continue;
                if (routers.ContainsKey(listener.Port))
                {
                    _logger.LogWarning("Listener {Listener}: port {Port} is already used by another HTTP listener; ignored.", listener.Name, listener.Port);
                    continue;
                }
                var routes = listener.Routes.Select(r => new RouteRuntime(r, pools, _metrics, _health, _time, _policiesByRoute.GetValueOrDefault(r.Id), _redis, _shutdown)).ToList();
                foreach (var route in routes)
                {
                    if (route.Policies is { } p) policies.TryAdd(route.Id, p);
                }
                routers[listener.Port] = new ListenerRouter(listener, routes, _metrics.NoRoute.WithLabels(listener.Name))
                {
                    Access = Policies.AccessControl.IpAccessList.Create(listener.AccessControl, PolicyMetrics.Of(_metrics.Registry), "listener:" + listener.Name),
                    StripHeaders = Transforms.HeaderPrefixStripper.Create(listener.StripRequestHeaderPrefixes.IsDefault ? [] : listener.StripRequestHeaderPrefixes),
                };
            }

            _policiesByRoute = policies;
            next = new DataPlaneState(snapshot, routers.ToFrozenDictionary(), pools.ToFrozenDictionary(StringComparer.Ordinal));
            _current = next;
            Interlocked.Increment(ref _appliedCount);
            _metrics.SnapshotVersion.Set(snapshot.Version);
            _metrics.Reloads.Inc();
            _metrics.Listeners.Set(snapshot.Listeners.Length);
            RetireLater(retired, SeriesRetirement.Removed(previous, next), previous.Snapshot, snapshot);
        }
        _logger.LogInformation("Applied snapshot version {Version}: {Listeners} listeners, {Pools} pools.", snapshot.Version, snapshot.Listeners.Length, snapshot.Pools.Length);
        Applied?.Invoke(next);
    }

    /// <summary>
    /// Old connection pools close, and the series of removed routes, pools and listeners go, once requests that
    /// may still use them have had time to finish: the largest drain timeout of the old and the new snapshot.
    /// </summary>
    private void RetireLater(List<HttpMessageInvoker> retired, List<RetiredEntity> removed, Snapshot previous, Snapshot snapshot)
    {
        if (retired.Count == 0 && removed.Count == 0) return;
        var seriesStamp = _seriesRetirement.Begin(removed);
        var grace = snapshot.Pools.IsEmpty ? TimeSpan.FromSeconds(30) : snapshot.Pools.Max(p => p.DrainTimeout);
        foreach (var pool in previous.Pools) if (pool.DrainTimeout > grace) grace = pool.DrainTimeout;
        if (grace < TimeSpan.FromSeconds(5)) grace = TimeSpan.FromSeconds(5);
        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            foreach (var invoker in retired) invoker.Dispose();
            // Under the apply lock: a concurrent apply that brings an entity back either comes first (it stays)
            // or after (it makes new series).
            lock (_applyLock) _seriesRetirement.Complete(seriesStamp, _current);
            timer?.Dispose();
        }, null, grace, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        foreach (var pool in _current.Pools.Values)
        {
            pool.Dispose();
            pool.Invoker.Dispose();
        }
    }
}
