using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// A route's local (per replica) rate limit: one <see cref="GcraBucket"/> per key (see <see cref="RateLimitKeys{TCell}"/>).
/// The check allocates nothing once a key has been seen.
/// System.Threading.RateLimiting's limiters were the first choice; they refill on a wall-clock timer (no
/// TimeProvider, so tests could not drive them) and allocate a lease per refused request, hence GCRA here.
/// </summary>
public sealed class LocalRateLimiter
{
    /// <summary>Past this many keys, idle ones (full buckets: forgetting them changes nothing) are swept.</summary>
    internal const int SweepAbove = RateLimitKeys<GcraBucket>.SweepAbove;

    private readonly TimeProvider _time;
    private readonly GcraRate _rate;
    private readonly RateLimitKeys<GcraBucket> _keys;

    public LocalRateLimiter(RateLimitSnapshot config, TimeProvider time)
    {
        Config = config;
        _time = time;
        _rate = GcraRate.Of(config.Limit, config.Burst, config.Period, time.TimestampFrequency);
        _keys = new RateLimitKeys<GcraBucket>(config, time, _ => new GcraBucket());
        Texts = new RateLimitTexts(config);
    }

    public RateLimitSnapshot Config { get; }
    /// <summary>Pre-rendered header values (RateLimit-Limit, RateLimit-Policy).</summary>
    public RateLimitTexts Texts { get; }

    /// <summary>Spends one request of the caller's budget; when refused, <paramref name="retryAfter"/> says when the next would pass.</summary>
    public bool TryAcquire(HttpContext context, out TimeSpan retryAfter)
    {
        var bucket = _keys.For(context);
        return _rate.TryAcquire(bucket, _time, out retryAfter);
    }

    internal int KeyCount => _keys.Count;
}
