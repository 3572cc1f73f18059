using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Policies.AccessControl;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// A route's local (per replica) rate limit: one <see cref="GcraBucket"/> per key (client IP, a header's value,
/// or one for the whole route). The check allocates nothing once a key has been seen: IP keys are the
/// connection's <see cref="IPAddress"/> object and header keys the header's string as Kestrel parsed it.
/// System.Threading.RateLimiting's limiters were the first choice; they refill on a wall-clock timer (no
/// TimeProvider, so tests could not drive them) and allocate a lease per refused request, hence GCRA here.
/// </summary>
public sealed class LocalRateLimiter
{
    /// <summary>Past this many keys, idle ones (full buckets: forgetting them changes nothing) are swept.</summary>
    internal const int SweepAbove = 100_000;

    private readonly TimeProvider _time;
    private readonly long _interval;
    private readonly long _capacity;
    private readonly IpNetworks? _trustedProxies;
    private readonly GcraBucket _routeBucket = new();
    private readonly GcraBucket _anonymous = new();
    private readonly ConcurrentDictionary<IPAddress, GcraBucket> _byAddress = new();
    private readonly ConcurrentDictionary<string, GcraBucket> _byHeader = new(StringComparer.Ordinal);
    private int _keys;
    private int _sweeping;

    public LocalRateLimiter(RateLimitSnapshot config, TimeProvider time)
    {
        Config = config;
        _time = time;
        var periodInTimestamps = config.Period.TotalSeconds * time.TimestampFrequency;
        _interval = Math.Max(1, (long)(periodInTimestamps / config.Limit));
        _capacity = _interval * config.Burst;
        _trustedProxies = config.TrustedProxies.IsDefaultOrEmpty ? null : new IpNetworks(config.TrustedProxies);
        LimitText = config.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        PolicyText = $"{config.Limit};w={(long)config.Period.TotalSeconds};burst={config.Burst}";
    }

    public RateLimitSnapshot Config { get; }
    /// <summary>Pre-rendered header values (RateLimit-Limit, RateLimit-Policy).</summary>
    public string LimitText { get; }
    public string PolicyText { get; }

    /// <summary>Spends one request of the caller's budget; when refused, <paramref name="retryAfter"/> says when the next would pass.</summary>
    public bool TryAcquire(HttpContext context, out TimeSpan retryAfter)
    {
        var bucket = BucketFor(context);
        var now = _time.GetTimestamp();
        if (bucket.TryAcquire(now, _interval, _capacity, out var wait, out _))
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((double)wait / _time.TimestampFrequency);
        return false;
    }

    private GcraBucket BucketFor(HttpContext context)
    {
        switch (Config.Key)
        {
            case RateLimitKey.Route:
                return _routeBucket;
            case RateLimitKey.Header:
                var values = context.Request.Headers[Config.HeaderName!];
                // Requests without the key share one budget (they are one anonymous client as far as we can tell).
                return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? _anonymous : Get(_byHeader, values[0]!);
            default:
                var address = ClientAddress.Of(context, _trustedProxies);
                return address is null ? _anonymous : Get(_byAddress, address);
        }
    }

    private GcraBucket Get<TKey>(ConcurrentDictionary<TKey, GcraBucket> map, TKey key) where TKey : notnull
    {
        if (map.TryGetValue(key, out var bucket)) return bucket;
        bucket = new GcraBucket();
        if (!map.TryAdd(key, bucket)) return map[key];
        if (Interlocked.Increment(ref _keys) > SweepAbove) Sweep(map);
        return bucket;
    }

    /// <summary>Forgets idle keys; one sweeper at a time, the others carry on.</summary>
    private void Sweep<TKey>(ConcurrentDictionary<TKey, GcraBucket> map) where TKey : notnull
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            var now = _time.GetTimestamp();
            foreach (var (key, bucket) in map)
            {
                if (bucket.IsIdle(now) && map.TryRemove(key, out _)) Interlocked.Decrement(ref _keys);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    internal int KeyCount => Volatile.Read(ref _keys);
}
