using Ballast.Ingress.Transforms;

namespace Ballast.Ingress.Tests.Transforms;

public sealed class PathPrefixTests
{
    [Theory]
    [InlineData("/api", "/v2", "/api/x/y", "/v2/x/y")]
    [InlineData("/api", "/v2", "/api", "/v2")]
    [InlineData("/api", "/v2/", "/api/x", "/v2/x")]
    [InlineData("/api/", "/v2", "/api/x", "/v2/x")]
    [InlineData("/api", "/", "/api/x", "/x")]
    [InlineData("/api", "/", "/api", "/")]
    [InlineData("/api", "", "/api", "/")]
    [InlineData("/", "/base", "/x", "/base/x")]
    [InlineData("/api", "/v2", "/other", "/other")]
    public void The_matched_prefix_is_replaced_with_exactly_one_slash_at_the_joint(string matched, string replacement, string path, string expected)
    {
        Assert.Equal(expected, new PathPrefix(matched, replacement).Apply(path));
    }
}
