namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// One key's budget as a Generic Cell Rate Algorithm cell: a single "theoretical arrival time" (TAT) updated
/// with compare-and-swap. Equivalent to a token bucket refilled continuously at one token per
/// <c>interval</c> holding at most <c>burst</c> tokens, but lock-free, one long of state, no timer and no
/// allocation per check. Times are in <see cref="TimeProvider.GetTimestamp"/> units.
/// </summary>
public sealed class GcraBucket : IRateLimitCell
{
    private long _tat = long.MinValue;

    /// <param name="now">The current timestamp.</param>
    /// <param name="interval">Time one request uses up (period ÷ limit).</param>
    /// <param name="capacity">burst × interval: how far ahead of now the TAT may run.</param>
    /// <param name="wait">When refused: how long until one request would pass.</param>
    /// <param name="remaining">When admitted: how many more requests would pass right now.</param>
    public bool TryAcquire(long now, long interval, long capacity, out long wait, out long remaining)
    {
        while (true)
        {
            var tat = Volatile.Read(ref _tat);
            var start = tat > now ? tat : now;
            var next = start + interval;
            if (next - now > capacity)
            {
                wait = next - capacity - now;
                remaining = 0;
                return false;
            }
            if (Interlocked.CompareExchange(ref _tat, next, tat) == tat)
            {
                wait = 0;
                remaining = (capacity - (next - now)) / interval;
                return true;
            }
        }
    }

    /// <summary>True when the bucket is full again (forgetting it changes nothing).</summary>
    public bool IsIdle(long now) => Volatile.Read(ref _tat) <= now;
}
