using System.Collections.Concurrent;
using System.Collections.Immutable;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4.Flows;

/// <summary>
/// Connection tracking for the UDP flows of one hashing pool (Maglev, consistent hash), as Maglev does it: a flow
/// table consulted before the hash. Every replica hashes a flow alike, so most flows need no table at all; only
/// when the pool's endpoint set changes (an endpoint added, removed, turning healthy or unhealthy) does the hash
/// move some flows (~1/N for Maglev). Then each replica pins its own open flows whose choice moved, and whose
/// backend is still available, to that backend: in this replica's table and in Redis (shared with the other
/// replicas through the same store as the affinity table, with its degradation rules: written later when Redis
/// is away). A replica placing a flow it has not seen consults the table only when an endpoint set of the last
/// <see cref="HistoryWindow"/> would have placed it elsewhere — so after a failover the flows that moved keep
/// their backend, and everything else costs one lookup in memory. Lives across snapshots, one per pool id.
/// </summary>
public sealed class FlowTable : IDisposable
{
    /// <summary>Earlier endpoint sets remembered (newest first); older ones are forgotten even within the window.</summary>
    public const int MaxHistory = 16;

    private readonly AffinityTable _pins;
    private readonly SharedAffinityStore? _shared;
    private readonly L4Metrics.FlowTableMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ulong _poolKey;
    private readonly ConcurrentDictionary<ulong, LiveFlow> _live = new();
    private readonly Lock _changeLock = new();
    private readonly ITimer _refresher;
    private ImmutableArray<Earlier> _earlier = [];
    private string _currentPlacement = "";
    private PoolRuntime? _pool;
    private readonly ILogger _logger;

    /// <param name="pins">This replica's pin table (the affinity table: keys here are salted apart from affinity pins).</param>
    /// <param name="shared">Redis, or null in single-replica mode (pins then stay local).</param>
    public FlowTable(string poolId, AffinityTable pins, SharedAffinityStore? shared, L4Metrics metrics, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        PoolId = poolId;
        _pins = pins;
        _shared = shared;
        _metrics = metrics.ForFlows(poolId);
        _time = time;
        _poolKey = HashKey.Of(poolId);
        // Open pinned flows keep their pins alive (here and in Redis) a quarter TTL before they would expire.
        _refresher = time.CreateTimer(static s => ((FlowTable)s!).RefreshPins(), this, PinTtl / 4, PinTtl / 4);
    }

    public string PoolId { get; }

    /// <summary>
    /// How long a pin outlives its flow's last refresh: two UDP session idle timeouts (60 s), so a flow that moves to
    /// another replica at the end of an idle spell still finds it.
    /// </summary>
    public static TimeSpan PinTtl { get; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a replaced endpoint set still triggers lookups for the flows it placed differently.</summary>
    public TimeSpan HistoryWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Open flows this replica tracks (for tests and the status page).</summary>
    public int LiveCount => _live.Count;

    /// <summary>
    /// Follows this pool runtime's balancer replacements (the pool id's runtime is replaced only when the pool left
    /// the configuration and came back: that replacement counts as a change too).
    /// </summary>
    public void Attach(PoolRuntime pool)
    {
        if (ReferenceEquals(pool, _pool)) return;
        var previous = _pool;
        if (previous is not null) previous.BalancerReplaced -= OnReplaced;
        _pool = pool;
        pool.BalancerReplaced += OnReplaced;
        if (previous is null) _currentPlacement = Placement(pool.Balancer);
        else OnReplaced(previous.Balancer, pool.Balancer);
    }

    /// <summary>
    /// Where a flow this replica has no session for goes: its pin when it has one whose endpoint is available, else
    /// the hash's choice on <paramref name="balancer"/> (the pool's current one).
    /// </summary>
    public ValueTask<EndpointState?> PlaceAsync(ILoadBalancer balancer, ulong flow)
    {
        var choice = balancer.Pick(new PickContext(flow));
        if (choice is null) return new((EndpointState?)null);
        if (_pins.TryGet(LocalKey(flow), PinTtl, out var pin))
        {
            if (pin.EndpointId == choice.Id) return new(choice);
            if (Available(balancer, pin.EndpointId) is { } pinned)
            {
                _metrics.LocalHits.Inc();
                return new(pinned);
            }
        }
        if (!MovedSince(flow, choice)) return new(choice); // no earlier endpoint set placed it elsewhere: nothing to look up
        if (_shared is null)
        {
            _metrics.Misses.Inc();
            return new(choice);
        }
        return LookUpAsync(balancer, flow, choice, _shared);
    }

    private async ValueTask<EndpointState?> LookUpAsync(ILoadBalancer balancer, ulong flow, EndpointState choice, SharedAffinityStore shared)
    {
        var key = SharedAffinityStore.FlowKeyOf(PoolId, flow);
        var (outcome, endpointId) = await shared.GetAsync(key).ConfigureAwait(false);
        switch (outcome)
        {
            case SharedAffinityStore.Outcome.Found when Available(balancer, endpointId!) is { } pinned:
                _metrics.SharedHits.Inc();
                _pins.Put(LocalKey(flow), pinned.Id, key, PinTtl);
                return pinned;
            case SharedAffinityStore.Outcome.Unavailable:
                _metrics.Unavailable.Inc(); // Redis away: decided locally, as affinity does
                return choice;
            default:
                _metrics.Misses.Inc(); // a new flow, or its pinned backend is no longer available
                return choice;
        }
    }

    /// <summary>
    /// A flow opened on <paramref name="endpoint"/>: tracked until the handle is disposed, so an endpoint-set change
    /// can pin it. A flow that is already off its hash choice (placed by a pin, or by the balancer just replaced) is
    /// pinned at once: this replica now owns it and keeps its pin alive.
    /// </summary>
    public IDisposable Track(ulong flow, EndpointState endpoint)
    {
        var live = new LiveFlow(this, flow, endpoint);
        _live[flow] = live;
        if (_pool?.Balancer is { } balancer && balancer.Pick(new PickContext(flow)) is { } choice && choice.Id != endpoint.Id
            && Available(balancer, endpoint.Id) is not null)
        {
            Pin(live);
        }
        return live;
    }

    private void OnReplaced(ILoadBalancer replaced, ILoadBalancer current)
    {
        try
        {
            lock (_changeLock)
            {
                var placement = Placement(current);
                if (placement == _currentPlacement) return; // a rebuild over the same endpoints and weights: nothing moved
                _currentPlacement = placement;
                var now = _time.GetTimestamp();
                _earlier = [new Earlier(replaced, now), .. _earlier.Where(e => _time.GetElapsedTime(e.ReplacedAt, now) < HistoryWindow).Take(MaxHistory - 1)];
                foreach (var (flow, live) in _live)
                {
                    // Pin only flows whose backend is still available: one that left or turned unhealthy moves anyway.
                    if (Available(current, live.Endpoint.Id) is null) continue;
                    if (current.Pick(new PickContext(flow)) is { } choice && choice.Id != live.Endpoint.Id) Pin(live);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never into the health timer or the reload that replaced the balancer; flows then merely rehash.
            _logger.LogError(e, "Flow table of pool {Pool}: pinning the flows moved by an endpoint-set change failed; they rehash.", PoolId);
        }
    }

    private void Pin(LiveFlow live)
    {
        live.Pinned = true;
        var sharedKey = _shared is null ? null : SharedAffinityStore.FlowKeyOf(PoolId, live.Flow);
        _pins.Put(LocalKey(live.Flow), live.Endpoint.Id, sharedKey, PinTtl);
        _metrics.Pins.Inc();
        if (_shared is not null && sharedKey is not null) _ = ShareAsync(_shared, LocalKey(live.Flow), sharedKey, live.Endpoint.Id);
    }

    private async Task ShareAsync(SharedAffinityStore shared, ulong localKey, string sharedKey, string endpointId)
    {
        // This replica holds the flow open: its backend is the truth, so it overwrites.
        if (await shared.PinAsync(sharedKey, endpointId, PinTtl, overwrite: true).ConfigureAwait(false) is null)
        {
            _metrics.PinsDeferred.Inc();
            shared.Defer(localKey, sharedKey, endpointId, PinTtl);
        }
        else
        {
            _metrics.PinsShared.Inc();
        }
    }

    private void RefreshPins()
    {
        foreach (var (flow, live) in _live)
        {
            if (!live.Pinned) continue;
            _pins.TryGet(LocalKey(flow), PinTtl, out _);
            _shared?.Refresh(SharedAffinityStore.FlowKeyOf(PoolId, flow), PinTtl);
        }
    }

    /// <summary>True when an endpoint set of the window would have placed the flow elsewhere than <paramref name="choice"/>.</summary>
    private bool MovedSince(ulong flow, EndpointState choice)
    {
        var earlier = _earlier;
        if (earlier.IsEmpty) return false;
        var now = _time.GetTimestamp();
        foreach (var e in earlier)
        {
            if (_time.GetElapsedTime(e.ReplacedAt, now) >= HistoryWindow) break; // newest first: the rest are older
            if (e.Balancer.Pick(new PickContext(flow)) is { } then && then.Id != choice.Id) return true;
        }
        return false;
    }

    private static EndpointState? Available(ILoadBalancer balancer, string endpointId)
    {
        foreach (var endpoint in balancer.Endpoints)
        {
            if (endpoint.Id == endpointId) return endpoint;
        }
        return null;
    }

    /// <summary>What a hash places by: the endpoints and their weights, in order.</summary>
    private static string Placement(ILoadBalancer balancer) => string.Join(",", balancer.Endpoints.Select(e => $"{e.Id}*{e.EffectiveWeight}"));

    /// <summary>The pin's key in the affinity table: salted so it never meets an affinity pin of the same hash.</summary>
    private ulong LocalKey(ulong flow) => HashKey.Combine(flow ^ _poolKey, "flow");

    public void Dispose()
    {
        _refresher.Dispose();
        if (_pool is not null) _pool.BalancerReplaced -= OnReplaced;
        _live.Clear();
    }

    private readonly record struct Earlier(ILoadBalancer Balancer, long ReplacedAt);

    private sealed class LiveFlow(FlowTable table, ulong flow, EndpointState endpoint) : IDisposable
    {
        public ulong Flow { get; } = flow;
        public EndpointState Endpoint { get; } = endpoint;
        public volatile bool Pinned;

        public void Dispose() => table._live.TryRemove(new KeyValuePair<ulong, LiveFlow>(Flow, this));
    }
}
