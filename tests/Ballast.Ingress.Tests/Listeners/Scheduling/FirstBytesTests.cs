using Ballast.Ingress.Listeners.Scheduling;

namespace Ballast.Ingress.Tests.Listeners.Scheduling;

public sealed class FirstBytesTests
{
    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ConnectionScheduling.ThreadPool)]
    [InlineData("PRI", ConnectionScheduling.ThreadPool)]
    [InlineData("GET / HTTP/1.1\r\n", ConnectionScheduling.Inline)]
    [InlineData("PUT /", ConnectionScheduling.Inline)]
    [InlineData("PROPFIND /", ConnectionScheduling.Inline)]
    [InlineData("PR", ConnectionScheduling.Inline)] // too few bytes to tell: the default
    [InlineData("", ConnectionScheduling.Inline)]
    public void Http2_prior_knowledge_goes_to_the_thread_pool_and_everything_else_inline(string first, ConnectionScheduling expected) =>
        Assert.Equal(expected, FirstBytes.Classify(System.Text.Encoding.ASCII.GetBytes(first)));

    [Fact]
    public void A_tls_client_hello_is_inline() =>
        Assert.Equal(ConnectionScheduling.Inline, FirstBytes.Classify([0x16, 0x03, 0x01, 0x02, 0x00]));
}
