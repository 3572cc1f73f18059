using System.Collections.Concurrent;
using Ballast.Ingress.Redis;
using StackExchange.Redis;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// The shared copy of the affinity table in Redis: key <c>ballast:affinity:{pool}:{key hash}</c> → endpoint id,
/// with the pin's TTL. Every call is bounded by the connection's short operation timeout and never throws: a
/// failure reports the connection degraded and returns <see cref="Outcome.Unavailable"/>, and the caller decides
/// locally. Pins decided locally are queued (bounded) and written when Redis returns; where another replica
/// wrote a different pin meanwhile, the local table adopts the shared one.
/// </summary>
public sealed class SharedAffinityStore
{
    public const int MaxPending = 50_000;

    private readonly RedisConnection _redis;
    private readonly AffinityTable _table;
    private readonly ConcurrentQueue<PendingPin> _pending = new();
    private int _pendingCount;
    private int _reconciling;

    public SharedAffinityStore(RedisConnection redis, AffinityTable table)
    {
        _redis = redis;
        _table = table;
        _redis.Restored += () => _ = ReconcileAsync();
    }

    public enum Outcome { Found, NotFound, Unavailable }

    private readonly record struct PendingPin(ulong LocalKey, string SharedKey, string EndpointId, TimeSpan Ttl);

    public int PendingCount => Volatile.Read(ref _pendingCount);

    public static string KeyOf(string poolId, ulong keyHash) => $"ballast:affinity:{poolId}:{keyHash:x16}";

    /// <summary>The key of an L4 flow pin (a flow whose hash choice changed while it was open; see L4/Flows/FlowTable).</summary>
    public static string FlowKeyOf(string poolId, ulong flowHash) => $"ballast:flow:{poolId}:{flowHash:x16}";

    public async ValueTask<(Outcome Outcome, string? EndpointId)> GetAsync(string sharedKey)
    {
        if (_redis.Database is not { } db) return Fail(null);
        try
        {
            var value = await db.StringGetAsync(sharedKey).WaitAsync(_redis.OperationTimeout);
            _redis.ReportSuccess();
            return value.IsNull ? (Outcome.NotFound, null) : (Outcome.Found, value.ToString());
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// Writes a new pin unless one exists (two replicas racing on a new client converge on the first writer):
    /// returns the endpoint id that is shared now, or null when Redis is unavailable.
    /// </summary>
    public async ValueTask<string?> PinAsync(string sharedKey, string endpointId, TimeSpan ttl, bool overwrite)
    {
        if (_redis.Database is not { } db) return Fail(null).EndpointId;
        try
        {
            var set = await db.StringSetAsync(sharedKey, endpointId, ttl, overwrite ? When.Always : When.NotExists).WaitAsync(_redis.OperationTimeout);
            if (set)
            {
                _redis.ReportSuccess();
                return endpointId;
            }
            var winner = await db.StringGetAsync(sharedKey).WaitAsync(_redis.OperationTimeout);
            _redis.ReportSuccess();
            return winner.IsNull ? endpointId : winner.ToString();
        }
        catch (Exception e)
        {
            return Fail(e).EndpointId;
        }
    }

    /// <summary>Pushes the shared pin's TTL forward without waiting for the answer.</summary>
    public void Refresh(string sharedKey, TimeSpan ttl)
    {
        if (_redis.IsDegraded || _redis.Database is not { } db) return;
        try { db.KeyExpire(sharedKey, ttl, CommandFlags.FireAndForget); }
        catch (Exception e) { _redis.ReportFailure(e); }
    }

    /// <summary>Remembers a pin decided while Redis was away, to share it when Redis returns.</summary>
    public void Defer(ulong localKey, string sharedKey, string endpointId, TimeSpan ttl)
    {
        if (Interlocked.Increment(ref _pendingCount) > MaxPending)
        {
            Interlocked.Decrement(ref _pendingCount);
            return; // bounded: the oldest pins win; the rest get shared on their next miss
        }
        _pending.Enqueue(new PendingPin(localKey, sharedKey, endpointId, ttl));
    }

    /// <summary>Shares the pins decided locally; adopts the shared pin where another replica wrote one first.</summary>
    public async Task ReconcileAsync()
    {
        if (Interlocked.Exchange(ref _reconciling, 1) == 1) return;
        try
        {
            while (!_redis.IsDegraded && _pending.TryDequeue(out var pin))
            {
                Interlocked.Decrement(ref _pendingCount);
                var shared = await PinAsync(pin.SharedKey, pin.EndpointId, pin.Ttl, overwrite: false);
                if (shared is null)
                {
                    Defer(pin.LocalKey, pin.SharedKey, pin.EndpointId, pin.Ttl);
                    break;
                }
                if (shared != pin.EndpointId) _table.ReplaceIf(pin.LocalKey, pin.EndpointId, shared, pin.SharedKey, pin.Ttl);
            }
        }
        finally
        {
            Volatile.Write(ref _reconciling, 0);
        }
    }

    private (Outcome Outcome, string? EndpointId) Fail(Exception? e)
    {
        _redis.ReportFailure(e);
        return (Outcome.Unavailable, null);
    }
}
