namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// GCRA in Redis, one EVAL per check, atomic: the key holds the theoretical arrival time (TAT) in microseconds of
/// Redis's own clock (<c>TIME</c>), so replicas whose clocks disagree still share one budget. ARGV: interval and
/// capacity (burst × interval) in microseconds. Returns {1, remaining} when admitted, {0, wait µs} when refused.
/// The key expires when its bucket is full again, so idle clients cost Redis nothing.
/// </summary>
public static class RedisGcraScript
{
    public const string Source = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local capacity = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1]))
        if tat == nil or tat < now then tat = now end
        local nexttat = tat + interval
        if nexttat - now > capacity then
          return {0, nexttat - capacity - now}
        end
        redis.call('SET', KEYS[1], string.format('%.0f', nexttat), 'PX', math.floor((nexttat - now) / 1000) + 1)
        return {1, math.floor((capacity - (nexttat - now)) / interval)}
        """;
}
