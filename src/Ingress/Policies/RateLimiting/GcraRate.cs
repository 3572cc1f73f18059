namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// A GCRA rate in <see cref="TimeProvider.GetTimestamp"/> units: the time one request uses up (period ÷ limit)
/// and how far ahead of now a bucket may run (burst × interval).
/// </summary>
public readonly record struct GcraRate(long Interval, long Capacity)
{
    public static GcraRate Of(int limit, int burst, TimeSpan period, long frequency)
    {
        var interval = Math.Max(1, (long)(period.TotalSeconds * frequency / limit));
        return new GcraRate(interval, interval * burst);
    }

    /// <summary>Spends one request of <paramref name="bucket"/> now; when refused, <paramref name="retryAfter"/> says when one would pass.</summary>
    public bool TryAcquire(GcraBucket bucket, TimeProvider time, out TimeSpan retryAfter)
    {
        if (bucket.TryAcquire(time.GetTimestamp(), Interval, Capacity, out var wait, out _))
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((double)wait / time.TimestampFrequency);
        return false;
    }
}
