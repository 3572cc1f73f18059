using Ballast.Ingress.Metrics;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Tests.Redis;

/// <summary>The chart passes the Redis password as BALLAST_REDIS_PASSWORD from a Secret: the ingress must use it.</summary>
[Trait("Category", "Integration")]
public sealed class RedisPasswordTests
{
    [Fact]
    public void The_password_comes_with_the_parsed_address_and_an_empty_one_means_none()
    {
        Assert.True(RedisOptions.TryParse("redis.cache.svc:6379", "s3cret", out var options, out _));
        Assert.Equal("s3cret", options.Password);
        Assert.True(RedisOptions.TryParse("redis.cache.svc:6379", "", out var none, out _));
        Assert.Null(none.Password);
        Assert.Equal("BALLAST_REDIS_PASSWORD", RedisOptions.PasswordVariable);
    }

    [Fact]
    public async Task With_the_password_the_ingress_talks_to_a_password_protected_redis_and_without_it_runs_degraded()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret");

        Assert.True(RedisOptions.TryParse(redis.Endpoint, "s3cret", out var withPassword, out _));
        await using (var good = new RedisConnection(withPassword with { ConnectTimeout = TimeSpan.FromSeconds(5) }, new IngressMetrics(), NullLogger<RedisConnection>.Instance))
        {
            var mux = await good.Multiplexer;
            Assert.NotNull(mux);
            await mux!.GetDatabase().StringSetAsync("ballast-password-test", "ok");
            Assert.Equal("ok", (string?)await mux.GetDatabase().StringGetAsync("ballast-password-test"));
            Assert.False(good.IsDegraded);
        }

        Assert.True(RedisOptions.TryParse(redis.Endpoint, null, out var without, out _));
        await using var bad = new RedisConnection(without with { ConnectTimeout = TimeSpan.FromSeconds(2) }, new IngressMetrics(), NullLogger<RedisConnection>.Instance);
        await bad.Multiplexer;
        Assert.True(bad.IsDegraded, "an unauthenticated connection must not count as connected");
    }
}
