using System.Collections.Concurrent;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// This replica's in-memory side of the affinity table: (pool, request key) → endpoint id with an expiry that
/// each use pushes forward. Bounded: past <see cref="Capacity"/> entries an insert first sweeps the expired ones
/// and, if that is not enough, drops an arbitrary tenth (they are re-read from Redis, or re-decided, on next use).
/// A lookup is one lock-free dictionary read and one field write: no allocation. The shared copy lives in Redis
/// (<see cref="SharedAffinityStore"/>); this class never does I/O.
/// </summary>
public sealed class AffinityTable
{
    private readonly ConcurrentDictionary<ulong, Pin> _pins = new();
    private readonly TimeProvider _time;
    private int _count;
    private int _sweeping;

    public AffinityTable(TimeProvider time, int capacity = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
    }

    public int Capacity { get; }
    public int Count => Volatile.Read(ref _count);

    /// <summary>One pin. Its endpoint never changes (a re-pin replaces the object); its expiry slides.</summary>
    public sealed class Pin(string endpointId, string? sharedKey, long expiresAt, long refreshSharedAt)
    {
        public string EndpointId { get; } = endpointId;
        /// <summary>The Redis key of this pin, or null in single-replica mode.</summary>
        public string? SharedKey { get; } = sharedKey;
        internal long ExpiresAt = expiresAt;
        /// <summary>When the shared copy's TTL should next be pushed forward (not on every hit: that would be a round trip each).</summary>
        internal long RefreshSharedAt = refreshSharedAt;
    }

    /// <summary>The unexpired pin of a key, its expiry pushed to now + ttl.</summary>
    public bool TryGet(ulong key, TimeSpan ttl, out Pin pin)
    {
        if (!_pins.TryGetValue(key, out pin!)) return false;
        var now = _time.GetTimestamp();
        if (Volatile.Read(ref pin.ExpiresAt) <= now) return false;
        Volatile.Write(ref pin.ExpiresAt, now + Ticks(ttl));
        return true;
    }

    /// <summary>True (once per quarter TTL) when the caller should push the shared copy's TTL forward.</summary>
    public bool ShouldRefreshShared(Pin pin, TimeSpan ttl)
    {
        var now = _time.GetTimestamp();
        var due = Volatile.Read(ref pin.RefreshSharedAt);
        return now >= due && Interlocked.CompareExchange(ref pin.RefreshSharedAt, now + Ticks(ttl) / 4, due) == due;
    }

    public Pin Put(ulong key, string endpointId, string? sharedKey, TimeSpan ttl)
    {
        var now = _time.GetTimestamp();
        var pin = new Pin(endpointId, sharedKey, now + Ticks(ttl), now + Ticks(ttl) / 4);
        var added = false;
        _pins.AddOrUpdate(key, _ => { added = true; return pin; }, (_, _) => pin);
        if (added && Interlocked.Increment(ref _count) > Capacity) MakeRoom();
        return pin;
    }

    /// <summary>Replaces a key's endpoint only if it still holds <paramref name="expected"/> (reconciling with Redis).</summary>
    public void ReplaceIf(ulong key, string expected, string endpointId, string? sharedKey, TimeSpan ttl)
    {
        if (_pins.TryGetValue(key, out var current) && current.EndpointId == expected && current.EndpointId != endpointId)
        {
            var now = _time.GetTimestamp();
            _pins.TryUpdate(key, new Pin(endpointId, sharedKey, now + Ticks(ttl), now + Ticks(ttl) / 4), current);
        }
    }

    private void MakeRoom()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            var now = _time.GetTimestamp();
            foreach (var (key, pin) in _pins)
            {
                if (Volatile.Read(ref pin.ExpiresAt) <= now) Remove(key);
            }
            var excess = Count - Capacity * 9 / 10;
            foreach (var (key, _) in _pins)
            {
                if (excess-- <= 0) break;
                Remove(key);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Remove(ulong key)
    {
        if (_pins.TryRemove(key, out _)) Interlocked.Decrement(ref _count);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
