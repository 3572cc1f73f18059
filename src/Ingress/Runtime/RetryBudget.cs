namespace Ballast.Ingress.Runtime;

/// <summary>
/// Retries may add at most <c>budgetPercent</c>% of a route's normal requests over a sliding window (10 s in
/// ten buckets), plus a small floor so a quiet route can still retry (Linkerd's retry budget). A pool that
/// fails everything therefore sees at most (1 + budget%) × the offered load, never a retry storm.
/// Lock-free: each request is one Interlocked increment on the current bucket; a retry increments first and
/// checks afterwards (undoing on refusal), so concurrent retries cannot overshoot together. A bucket is
/// recycled by whoever first sees it stale (a compare-exchange on its epoch); a count racing with that reset
/// can be lost, which only errs by a request or two at bucket boundaries.
/// </summary>
public sealed class RetryBudget
{
    public const int BucketCount = 10;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);
    public const int DefaultMinRetriesPerWindow = 10;

    private readonly TimeProvider _time;
    private readonly long _bucketTicks; // in TimeProvider timestamp units
    private readonly long[] _epochs = new long[BucketCount];
    private readonly long[] _requests = new long[BucketCount];
    private readonly long[] _retries = new long[BucketCount];
    private long _totalRequests;
    private long _totalRetries;
    private long _totalRefused;

    public RetryBudget(int budgetPercent, TimeProvider time, TimeSpan? window = null, int minRetriesPerWindow = DefaultMinRetriesPerWindow)
    {
        if (budgetPercent is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(budgetPercent), budgetPercent, "retries.budgetPercent must be between 0 and 1000");
        }

        BudgetPercent = budgetPercent;
        MinRetriesPerWindow = Math.Max(0, minRetriesPerWindow);
        _time = time;
        var w = window ?? DefaultWindow;
        _bucketTicks = Math.Max(1, (long)(w.TotalSeconds * time.TimestampFrequency / BucketCount));
        Array.Fill(_epochs, long.MinValue);
    }

    public int BudgetPercent { get; }
    public int MinRetriesPerWindow { get; }

    /// <summary>Original requests counted since creation.</summary>
    public long TotalRequests => Interlocked.Read(ref _totalRequests);
    /// <summary>Retries granted since creation.</summary>
    public long TotalRetries => Interlocked.Read(ref _totalRetries);
    /// <summary>Retries refused for lack of budget since creation.</summary>
    public long TotalRefused => Interlocked.Read(ref _totalRefused);

    /// <summary>Counts one original (first-attempt) request: it earns budget for retries.</summary>
    public void RecordRequest()
    {
        var index = CurrentBucket(out _);
        Interlocked.Increment(ref _requests[index]);
        Interlocked.Increment(ref _totalRequests);
    }

    /// <summary>Takes one retry from the budget; false (and nothing taken) when the budget is spent.</summary>
    public bool TryAcquireRetry()
    {
        var index = CurrentBucket(out var epoch);
        Interlocked.Increment(ref _retries[index]);
        long requests = 0, retries = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            var age = epoch - Volatile.Read(ref _epochs[i]);
            if (age is >= 0 and < BucketCount)
            {
                requests += Volatile.Read(ref _requests[i]);
                retries += Volatile.Read(ref _retries[i]);
            }
        }

        if (retries * 100 <= requests * BudgetPercent + MinRetriesPerWindow * 100L)
        {
            Interlocked.Increment(ref _totalRetries);
            return true;
        }

        Interlocked.Decrement(ref _retries[index]);
        Interlocked.Increment(ref _totalRefused);
        return false;
    }

    private int CurrentBucket(out long epoch)
    {
        epoch = _time.GetTimestamp() / _bucketTicks;
        var index = (int)(epoch % BucketCount);
        var seen = Volatile.Read(ref _epochs[index]);
        if (seen != epoch && seen < epoch && Interlocked.CompareExchange(ref _epochs[index], epoch, seen) == seen)
        {
            Volatile.Write(ref _requests[index], 0);
            Volatile.Write(ref _retries[index], 0);
        }

        return index;
    }
}
