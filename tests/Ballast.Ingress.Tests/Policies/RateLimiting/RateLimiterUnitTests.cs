using System.Collections.Immutable;
using System.Net;
using Ballast.Ingress.Policies.AccessControl;
using Ballast.Ingress.Policies.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Policies.RateLimiting;

public sealed class RateLimiterUnitTests
{
    [Fact]
    public void A_GCRA_cell_admits_the_burst_then_one_request_per_interval_and_says_how_long_to_wait()
    {
        var cell = new GcraBucket();
        const long interval = 100, capacity = 5 * interval; // burst 5
        for (var i = 0; i < 5; i++) Assert.True(cell.TryAcquire(1000, interval, capacity, out _, out var remaining) && remaining == 4 - i);
        Assert.False(cell.TryAcquire(1000, interval, capacity, out var wait, out _));
        Assert.Equal(interval, wait);
        Assert.False(cell.TryAcquire(1099, interval, capacity, out wait, out _));
        Assert.Equal(1, wait);
        Assert.True(cell.TryAcquire(1100, interval, capacity, out _, out _));
        Assert.False(cell.IsIdle(1400));
        Assert.True(cell.IsIdle(1600));
    }

    private static HttpContext Request(string peer, params string[] forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0) context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return context;
    }

    private static readonly IpNetworks Proxies = new(ImmutableArray.Create("10.0.0.0/8"));

    [Theory]
    [InlineData("192.0.2.1", new[] { "198.51.100.7" }, "192.0.2.1")] // untrusted peer: its X-Forwarded-For is ignored
    [InlineData("10.0.0.5", new[] { "198.51.100.7" }, "198.51.100.7")]
    [InlineData("10.0.0.5", new[] { "6.6.6.6, 198.51.100.7, 10.0.0.9" }, "198.51.100.7")] // forged left entries are not believed
    [InlineData("10.0.0.5", new[] { "6.6.6.6", "198.51.100.7" }, "198.51.100.7")] // several header lines
    [InlineData("10.0.0.5", new[] { "garbage, 10.0.0.9" }, "10.0.0.9")] // unparsable: stop at the last trusted hop
    [InlineData("10.0.0.5", new string[0], "10.0.0.5")]
    [InlineData("::ffff:10.0.0.5", new[] { "198.51.100.7" }, "198.51.100.7")] // dual-stack peer still matches a v4 CIDR
    public void The_client_address_honours_trusted_proxies_only(string peer, string[] forwardedFor, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Of(Request(peer, forwardedFor), Proxies));
    }

    [Fact]
    public void Without_trusted_proxies_the_peer_is_the_client()
    {
        Assert.Equal(IPAddress.Parse("10.0.0.5"), ClientAddress.Of(Request("10.0.0.5", "198.51.100.7"), null));
    }
}
