using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Policies.AccessControl;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>A per-key state that can be forgotten when idle (forgetting it then changes nothing).</summary>
public interface IRateLimitCell
{
    bool IsIdle(long now);
}

/// <summary>
/// Finds a request's rate-limit cell by the configured key: the client IP (peer, or X-Forwarded-For behind
/// trusted proxies), a header's value, a claim of the route's validated JWT, or one cell for the whole route.
/// Shared by the local and the global limiter. Allocates nothing once a key has been seen: IP keys are the
/// connection's <see cref="IPAddress"/> object, header and claim keys the string as parsed. Requests without
/// the key share one anonymous cell. Past <see cref="SweepAbove"/> keys, idle cells are forgotten.
/// </summary>
public sealed class RateLimitKeys<TCell> where TCell : class, IRateLimitCell
{
    internal const int SweepAbove = 100_000;

    private readonly RateLimitSnapshot _config;
    private readonly TimeProvider _time;
    private readonly Func<string, TCell> _create;
    private readonly IpNetworks? _trustedProxies;
    private readonly TCell _route;
    private readonly TCell _anonymous;
    private readonly ConcurrentDictionary<IPAddress, TCell> _byAddress = new();
    private readonly ConcurrentDictionary<string, TCell> _byText = new(StringComparer.Ordinal);
    private int _keys;
    private int _sweeping;

    /// <param name="create">Makes the cell of a new key, given a text naming the key (the global limiter derives its Redis key from it).</param>
    public RateLimitKeys(RateLimitSnapshot config, TimeProvider time, Func<string, TCell> create)
    {
        _config = config;
        _time = time;
        _create = create;
        _trustedProxies = config.TrustedProxies.IsDefaultOrEmpty ? null : new IpNetworks(config.TrustedProxies);
        _route = create("route");
        _anonymous = create("anonymous");
    }

    public TCell For(HttpContext context)
    {
        switch (_config.Key)
        {
            case RateLimitKey.Route:
                return _route;
            case RateLimitKey.Header:
                var values = context.Request.Headers[_config.HeaderName!];
                return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? _anonymous : Get(_byText, values[0]!, "header:");
            case RateLimitKey.Claim:
                // Set by the route's JWT check, which runs before the limit.
                var claim = context.User.FindFirst(_config.ClaimName!)?.Value;
                return string.IsNullOrEmpty(claim) ? _anonymous : Get(_byText, claim, "claim:");
            default:
                var address = ClientAddress.Of(context, _trustedProxies);
                return address is null ? _anonymous : Get(_byAddress, address, "ip:");
        }
    }

    private TCell Get<TKey>(ConcurrentDictionary<TKey, TCell> map, TKey key, string kind) where TKey : notnull
    {
        if (map.TryGetValue(key, out var cell)) return cell;
        cell = _create(kind + key);
        if (!map.TryAdd(key, cell)) return map[key];
        if (Interlocked.Increment(ref _keys) > SweepAbove) Sweep(map);
        return cell;
    }

    /// <summary>Forgets idle keys; one sweeper at a time, the others carry on.</summary>
    private void Sweep<TKey>(ConcurrentDictionary<TKey, TCell> map) where TKey : notnull
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            var now = _time.GetTimestamp();
            foreach (var (key, cell) in map)
            {
                if (cell.IsIdle(now) && map.TryRemove(key, out _)) Interlocked.Decrement(ref _keys);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    internal int Count => Volatile.Read(ref _keys);
}
