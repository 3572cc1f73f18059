using System.Net;
using System.Net.Sockets;

namespace Ballast.Ingress.L4.Health;

/// <summary>
/// The active health check of an L4 pool (<c>healthCheck.active.tcp</c>): the endpoint is up when a TCP
/// connection to it (or to the check's own port) completes within the timeout; the connection is then closed
/// at once, without sending a byte. The health scheduler (intervals, thresholds, jitter) calls it like its HTTP probe.
/// </summary>
public static class TcpConnectCheck
{
    public static async Task<bool> ProbeAsync(EndPoint address, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var family = address is IPEndPoint ip ? ip.AddressFamily : AddressFamily.InterNetworkV6;
        using var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        if (family == AddressFamily.InterNetworkV6) socket.DualMode = true;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            await socket.ConnectAsync(address, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
