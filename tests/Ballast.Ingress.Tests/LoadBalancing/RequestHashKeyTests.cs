using System.Net;
using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class RequestHashKeyTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    [Fact]
    public void Client_ip_key_is_the_hash_of_the_address()
    {
        var key = Compute(Request(), new LoadBalancingSnapshot { HashSource = HashSource.ClientIp });

        Assert.True(key.HasKey);
        Assert.Equal(HashKey.Of(Client), key.KeyHash);
        Assert.NotEqual(key.KeyHash, Compute(Request(ip: IPAddress.Parse("203.0.113.8")), new LoadBalancingSnapshot()).KeyHash);
    }

    [Fact]
    public void Ipv4_mapped_ipv6_address_hashes_like_the_ipv4_address()
    {
        Assert.Equal(HashKey.Of(Client), HashKey.Of(Client.MapToIPv6()));
        Assert.NotEqual(HashKey.Of(Client), HashKey.Of(IPAddress.Parse("2001:db8::7")));
    }

    [Fact]
    public void Client_ip_source_without_an_address_gives_no_key()
    {
        var context = new DefaultHttpContext();

        Assert.False(Compute(context, new LoadBalancingSnapshot { HashSource = HashSource.ClientIp }).HasKey);
    }

    [Fact]
    public void Header_key_hashes_the_header_value()
    {
        var options = new LoadBalancingSnapshot { HashSource = HashSource.Header, HashName = "X-User" };
        var context = Request();
        context.Request.Headers["x-user"] = "alice";

        var key = Compute(context, options);

        Assert.Equal(HashKey.Of("alice"), key.KeyHash);
        Assert.NotEqual(HashKey.Of(Client), key.KeyHash);
    }

    [Fact]
    public void Cookie_key_hashes_the_named_cookie_only()
    {
        var options = new LoadBalancingSnapshot { HashSource = HashSource.Cookie, HashName = "session" };
        var context = Request();
        context.Request.Headers.Cookie = "sessionid=zzz; theme=dark; session=\"abc123\"; other=1";

        Assert.Equal(HashKey.Of("abc123"), Compute(context, options).KeyHash);
    }

    [Fact]
    public void Query_key_hashes_the_named_parameter_only()
    {
        var options = new LoadBalancingSnapshot { HashSource = HashSource.Query, HashName = "user" };
        var context = Request();
        context.Request.QueryString = new QueryString("?username=x&user=bob&z=1");

        Assert.Equal(HashKey.Of("bob"), Compute(context, options).KeyHash);
    }

    [Fact]
    public void Path_key_hashes_the_path()
    {
        var context = Request();
        context.Request.Path = "/cart/42";

        var key = Compute(context, new LoadBalancingSnapshot { HashSource = HashSource.Path });

        Assert.Equal(HashKey.Of("/cart/42"), key.KeyHash);
    }

    [Theory]
    [InlineData(HashSource.Header)]
    [InlineData(HashSource.Cookie)]
    [InlineData(HashSource.Query)]
    public void Missing_key_falls_back_to_the_client_ip(HashSource source)
    {
        var options = new LoadBalancingSnapshot { HashSource = source, HashName = "user", HashFallback = HashFallback.ClientIp };

        var key = Compute(RequestWithDecoys(), options);

        Assert.True(key.HasKey);
        Assert.Equal(HashKey.Of(Client), key.KeyHash);
    }

    [Theory]
    [InlineData(HashSource.Header)]
    [InlineData(HashSource.Cookie)]
    [InlineData(HashSource.Query)]
    public void Missing_key_with_random_fallback_gives_no_key(HashSource source)
    {
        var options = new LoadBalancingSnapshot { HashSource = source, HashName = "user", HashFallback = HashFallback.Random };

        Assert.False(Compute(RequestWithDecoys(), options).HasKey);
    }

    [Fact]
    public void Only_hashing_algorithms_use_a_key()
    {
        var hashing = Enum.GetValues<LoadBalancingAlgorithm>().Where(LoadBalancerRegistry.UsesKey).ToArray();

        Assert.Equal([LoadBalancingAlgorithm.IpHash, LoadBalancingAlgorithm.ConsistentHash, LoadBalancingAlgorithm.Maglev,
            LoadBalancingAlgorithm.ConsistentHashBoundedLoad], hashing);
    }

    [Fact]
    public void Computing_a_key_allocates_nothing()
    {
        var header = Request();
        header.Request.Headers["X-User"] = "alice";
        var cookie = Request();
        cookie.Request.Headers.Cookie = "a=1; user=bob";
        var query = Request();
        query.Request.QueryString = new QueryString("?a=1&user=bob");
        var cases = new (HttpContext, LoadBalancingSnapshot)[]
        {
            (Request(), new LoadBalancingSnapshot { HashSource = HashSource.ClientIp }),
            (header, new LoadBalancingSnapshot { HashSource = HashSource.Header, HashName = "X-User" }),
            (cookie, new LoadBalancingSnapshot { HashSource = HashSource.Cookie, HashName = "user" }),
            (query, new LoadBalancingSnapshot { HashSource = HashSource.Query, HashName = "user" }),
            (header, new LoadBalancingSnapshot { HashSource = HashSource.Path }),
        };
        foreach (var (context, options) in cases)
        {
            Compute(context, options); // warm up
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Compute(context, options);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    private static PickContext Compute(HttpContext context, LoadBalancingSnapshot options) => RequestHashKey.Compute(context, options);

    private static DefaultHttpContext Request(IPAddress? ip = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = ip ?? Client;
        context.Request.Path = "/";
        return context;
    }

    /// <summary>A request with near-miss names: a header, cookie and parameter that start with "user" but are not it.</summary>
    private static DefaultHttpContext RequestWithDecoys()
    {
        var context = Request();
        context.Request.Headers["X-Username"] = "x";
        context.Request.Headers.Cookie = "username=x; users=y";
        context.Request.QueryString = new QueryString("?username=x&users=y&user=");
        return context;
    }
}
