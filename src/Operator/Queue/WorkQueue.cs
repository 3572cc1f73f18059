using System.Threading.Channels;

namespace Ballast.Operator.Queue;

/// <summary>
/// A deduplicating work queue with per-key exponential backoff (client-go's rate-limited queue, small): a key
/// queued twice is processed once; a key added while it is being processed is processed again afterwards (never
/// twice at once); a failing key comes back after base·2^(failures−1), capped.
/// </summary>
public sealed class WorkQueue<TKey>(TimeProvider time, TimeSpan baseDelay, TimeSpan maxDelay) where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>();
    private readonly HashSet<TKey> _queued = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly HashSet<TKey> _dirtyWhileProcessing = [];
    private readonly Dictionary<TKey, int> _failures = [];

    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_processing.Contains(key)) { _dirtyWhileProcessing.Add(key); return; }
            if (_queued.Add(key)) _ready.Writer.TryWrite(key);
        }
    }

    /// <summary>The delay the next <see cref="AddRateLimited"/> of this key will wait.</summary>
    public TimeSpan NextDelay(TKey key)
    {
        lock (_gate)
        {
            var n = _failures.GetValueOrDefault(key);
            var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(n, 30));
            return TimeSpan.FromTicks((long)Math.Min(ticks, maxDelay.Ticks));
        }
    }

    /// <summary>Requeues after this key's backoff delay (which doubles on each failure until <see cref="Forget"/>).</summary>
    public TimeSpan AddRateLimited(TKey key, CancellationToken ct = default)
    {
        var delay = NextDelay(key);
        lock (_gate) _failures[key] = _failures.GetValueOrDefault(key) + 1;
        _ = Task.Delay(delay, time, ct).ContinueWith(t => { if (!t.IsCanceled) Add(key); }, TaskScheduler.Default);
        return delay;
    }

    /// <summary>The key succeeded: its backoff starts over.</summary>
    public void Forget(TKey key)
    {
        lock (_gate) _failures.Remove(key);
    }

    public async ValueTask<TKey> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(ct);
            lock (_gate)
            {
                _queued.Remove(key);
                if (_processing.Add(key)) return key;
                _dirtyWhileProcessing.Add(key);
            }
        }
    }

    public void Done(TKey key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirtyWhileProcessing.Remove(key) && _queued.Add(key)) _ready.Writer.TryWrite(key);
        }
    }

    public int Length { get { lock (_gate) return _queued.Count; } }
}
