using System.Net;
using System.Net.Sockets;

namespace Ballast.Testing;

/// <summary>
/// A port the OS just handed out on 127.0.0.1 (bind port 0, read it, release it): for listeners a snapshot or an
/// external program's configuration must name up front, since neither can report an OS-chosen port back.
/// </summary>
public static class FreePort
{
    /// <summary>A free TCP port.</summary>
    public static int Next()
    {
        FastLane.Guard("a port (FreePort)");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A port free on both TCP and UDP (e.g. for a DNS server).</summary>
    public static int TcpAndUdp()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var port = Next();
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // taken on UDP: try another
            }
        }
        throw new InvalidOperationException("No port free on both TCP and UDP after 20 attempts.");
    }
}
