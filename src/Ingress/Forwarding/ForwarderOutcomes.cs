using System.Net.Sockets;
using Ballast.Ingress.Health;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Forwarding;

/// <summary>Turns what YARP's forwarder reports about one attempt into an <see cref="AttemptOutcome"/>.</summary>
public static class ForwarderOutcomes
{
    /// <param name="error">What <c>IHttpForwarder.SendAsync</c> returned.</param>
    /// <param name="perTryTimedOut">Our per-try timeout fired (the forwarder reports it as a cancellation).</param>
    public static AttemptOutcome Classify(ForwarderError error, HttpContext context, bool perTryTimedOut)
    {
        if (error == ForwarderError.None)
        {
            return AttemptOutcome.Response(context.Response.StatusCode);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return AttemptOutcome.Cancelled;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return error switch
        {
            // Request: the request could not be sent or no response head came back, so nothing of the response arrived.
            ForwarderError.Request => IsConnectFailure(exception) ? AttemptOutcome.ConnectFailure : AttemptOutcome.ResetBeforeResponse,
            ForwarderError.RequestTimedOut => IsConnectFailure(exception) ? AttemptOutcome.ConnectFailure : AttemptOutcome.Timeout,
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                => perTryTimedOut ? AttemptOutcome.Timeout : AttemptOutcome.Cancelled,
            ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders
                or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => AttemptOutcome.Reset,
            ForwarderError.UpgradeActivityTimeout => AttemptOutcome.Timeout,
            _ => AttemptOutcome.Cancelled, // client-side errors say nothing about the backend
        };
    }

    /// <summary>Nothing reached the backend: refused, unreachable, name not resolved, connect timeout.</summary>
    public static bool IsConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ProxyTunnelError }:
                    return true;
                case SocketException s when s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable
                    or SocketError.NetworkUnreachable or SocketError.HostNotFound or SocketError.TimedOut or SocketError.AddressNotAvailable:
                    return true;
                case TimeoutException: // SocketsHttpHandler.ConnectTimeout
                    return true;
            }
        }

        return false;
    }
}
