using System.Net.Sockets;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Health;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Tests.Forwarding;

public sealed class ForwarderOutcomesTests
{
    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    private static AttemptOutcome Classify(ForwarderError error, Exception exception)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception));
        return ForwarderOutcomes.Classify(error, context, perTryTimedOut: false);
    }

    [Fact]
    public void A_refused_connection_is_a_connect_failure()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal(AttemptOutcome.ConnectFailure, Classify(ForwarderError.Request, refused));
    }

    [Fact]
    public void A_connection_that_broke_before_the_response_head_is_a_reset_with_nothing_received()
    {
        var reset = new HttpRequestException(HttpRequestError.ResponseEnded, "ended", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));
        var outcome = Classify(ForwarderError.Request, reset);
        Assert.Equal(AttemptOutcomeKind.Reset, outcome.Kind);
        Assert.True(outcome.NothingReceived);
    }

    [Fact]
    public void A_connection_that_broke_after_the_response_head_is_a_reset_with_something_received()
    {
        var reset = new IOException("reset", new SocketException((int)SocketError.ConnectionReset));
        foreach (var error in new[] { ForwarderError.ResponseHeaders, ForwarderError.ResponseBodyDestination })
        {
            var outcome = Classify(error, reset);
            Assert.Equal(AttemptOutcomeKind.Reset, outcome.Kind);
            Assert.False(outcome.NothingReceived, error.ToString());
        }
    }
}
