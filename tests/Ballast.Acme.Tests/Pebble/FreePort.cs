using System.Net;
using System.Net.Sockets;

namespace Ballast.Acme.Tests.Pebble;

/// <summary>
/// Ports for the external programs, which cannot report an OS-chosen port back to us: bind port 0, read
/// the port, release it. The DNS port is checked free on both TCP and UDP.
/// </summary>
internal static class FreePort
{
    public static int Tcp()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public static int TcpAndUdp()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var port = Tcp();
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
