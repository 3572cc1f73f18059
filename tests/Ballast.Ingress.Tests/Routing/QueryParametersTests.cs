using Ballast.Ingress.Routing;

namespace Ballast.Ingress.Tests.Routing;

public sealed class QueryParametersTests
{
    [Theory]
    [InlineData("?a=1", "a", "1")]
    [InlineData("a=1", "a", "1")]
    [InlineData("?a=1&a=2", "a", "1")]             // the first value of a repeated parameter
    [InlineData("?b=2&a=3&a=1", "a", "3")]
    [InlineData("?A=1&a=2", "a", "2")]             // names are case-sensitive
    [InlineData("?a", "a", "")]                    // present without a value
    [InlineData("?a=", "a", "")]
    [InlineData("?&&a=x&", "a", "x")]
    [InlineData("?%61=decoded", "a", "decoded")]   // names are decoded before comparing
    [InlineData("?a=hello+world%21", "a", "hello world!")]
    [InlineData("?a=b=c", "a", "b=c")]
    public void The_first_value_of_the_named_parameter(string query, string name, string expected)
    {
        Assert.True(QueryParameters.TryGetFirst(query, name, out var value));
        Assert.Equal(expected, value.ToString());
    }

    [Theory]
    [InlineData("", "a")]
    [InlineData("?", "a")]
    [InlineData("?ab=1", "a")]
    [InlineData("?A=1", "a")]
    [InlineData("?b=a", "a")]
    public void An_absent_parameter(string query, string name) => Assert.False(QueryParameters.TryGetFirst(query, name, out _));
}
