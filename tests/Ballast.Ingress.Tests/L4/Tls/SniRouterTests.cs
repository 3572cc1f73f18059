using System.Text;
using Ballast.Ingress.L4.Tls;

namespace Ballast.Ingress.Tests.L4.Tls;

public sealed class SniRouterTests
{
    private static readonly SniRouter<string> Router = new(
        [
            new("shop.example.com", "exact"),
            new("*.example.com", "wild"),
            new("*.eu.example.com", "wild-eu"),
            new("API.Example.org.", "api"),
        ],
        defaultTarget: "default");

    [Theory]
    [InlineData("shop.example.com", "exact")]
    [InlineData("cart.example.com", "wild")]
    [InlineData("a.b.example.com", "wild")]          // a wildcard covers one or more labels
    [InlineData("x.eu.example.com", "wild-eu")]      // the most specific wildcard wins
    [InlineData("api.example.org", "api")]           // configured names are normalised (case, trailing dot)
    [InlineData("example.com", "default")]           // "*.example.com" does not cover the apex
    [InlineData("other.test", "default")]
    [InlineData("", "default")]                      // no SNI
    public void Routes_exact_then_wildcard_then_default(string host, string expected)
        => Assert.Equal(expected, Router.Route(Encoding.ASCII.GetBytes(host)));

    [Fact]
    public void Without_a_default_an_unmatched_name_has_no_route()
    {
        var router = new SniRouter<string>([new("a.test", "a")], defaultTarget: null);
        Assert.Null(router.Route("b.test"u8));
        Assert.Null(router.Route(ReadOnlySpan<byte>.Empty));
    }
}
