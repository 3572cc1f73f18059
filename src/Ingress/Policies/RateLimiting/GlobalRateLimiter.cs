using System.Security.Cryptography;
using System.Text;
using Ballast.Ingress.Redis;
using Ballast.Model.Snapshots;
using Prometheus;
using StackExchange.Redis;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// A route's cluster-wide rate limit: the budgets live in Redis (the ingress's one <see cref="RedisConnection"/>)
/// and are spent by <see cref="RedisGcraScript"/>, at most one round trip per request. Local pre-check: once
/// Redis refuses a key, this replica refuses it without asking again until the wait Redis named has passed
/// (Redis could not admit it before then: a GCRA time only moves forward), so a client hammering a spent
/// budget costs Redis nothing. When Redis is unreachable, slow (past the operation timeout) or not configured,
/// each replica enforces its local share, limit ÷ replicas (burst likewise, at least 1), counted in
/// <c>ballast_rate_limit_degraded_total{route}</c>; while degraded, one request per <see cref="ProbeEvery"/>
/// tries Redis again.
/// </summary>
public sealed class GlobalRateLimiter
{
    internal static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(250);

    private readonly RedisConnection? _redis;
    private readonly TimeProvider _time;
    private readonly Counter.Child _degraded;
    private readonly RateLimitKeys<Cell> _keys;
    private readonly GcraRate _share;
    private readonly RedisValue[] _arguments;
    private readonly long _probeEvery;
    private long _nextProbe;

    public GlobalRateLimiter(RateLimitSnapshot config, string routeId, RedisConnection? redis, TimeProvider time, Counter.Child degraded)
    {
        Config = config;
        _redis = redis;
        _time = time;
        _degraded = degraded;
        Texts = new RateLimitTexts(config);
        var replicas = Math.Max(1, config.Replicas);
        _share = GcraRate.Of(Math.Max(1, config.Limit / replicas), Math.Max(1, config.Burst / replicas), config.Period, time.TimestampFrequency);
        var intervalMicros = Math.Max(1, (long)(config.Period.TotalMicroseconds / config.Limit));
        _arguments = [intervalMicros, intervalMicros * config.Burst];
        _probeEvery = (long)(ProbeEvery.TotalSeconds * time.TimestampFrequency);
        var prefix = $"ballast:ratelimit:{routeId}:";
        _keys = new RateLimitKeys<Cell>(config, time, key => new Cell(prefix + Digest(key)));
    }

    public RateLimitSnapshot Config { get; }
    public RateLimitTexts Texts { get; }

    /// <summary>Spends one request of the caller's cluster-wide budget; when refused, RetryAfter says when the next would pass.</summary>
    public async ValueTask<(bool Admitted, TimeSpan RetryAfter)> AcquireAsync(HttpContext context)
    {
        var cell = _keys.For(context);
        var now = _time.GetTimestamp();
        if (Usable(now) is { } db)
        {
            var deniedUntil = Volatile.Read(ref cell.DeniedUntil);
            if (deniedUntil > now) return (false, _time.GetElapsedTime(now, deniedUntil));
            try
            {
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(RedisGcraScript.Source, cell.Key, _arguments).WaitAsync(_redis!.OperationTimeout))!;
                _redis.ReportSuccess();
                if ((long)result[0] == 1) return (true, TimeSpan.Zero);
                var wait = TimeSpan.FromMicroseconds((long)result[1]);
                Volatile.Write(ref cell.DeniedUntil, now + (long)(wait.TotalSeconds * _time.TimestampFrequency));
                return (false, wait);
            }
            catch (Exception e)
            {
                _redis!.ReportFailure(e);
            }
        }
        _degraded.Inc();
        return _share.TryAcquire(cell.Share, _time, out var retryAfter) ? (true, TimeSpan.Zero) : (false, retryAfter);
    }

    /// <summary>The database when Redis should be asked: connected and healthy, or degraded and this request is the probe.</summary>
    private IDatabase? Usable(long now)
    {
        if (_redis?.Database is not { } db) return null;
        if (!_redis.IsDegraded) return db;
        var next = Volatile.Read(ref _nextProbe);
        return now >= next && Interlocked.CompareExchange(ref _nextProbe, now + _probeEvery, next) == next ? db : null;
    }

    /// <summary>Redis keys from a digest of the key: bounded length, and no API key or claim value stored in Redis in clear.</summary>
    private static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 16);

    private sealed class Cell(string key) : IRateLimitCell
    {
        public readonly RedisKey[] Key = [key];
        /// <summary>Timestamp before which Redis is known to refuse this key (the local pre-check).</summary>
        public long DeniedUntil = long.MinValue;
        /// <summary>The local share's bucket, used while Redis is unavailable.</summary>
        public readonly GcraBucket Share = new();

        public bool IsIdle(long now) => Volatile.Read(ref DeniedUntil) <= now && Share.IsIdle(now);
    }
}
