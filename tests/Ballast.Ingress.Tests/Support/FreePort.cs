using System.Net;
using System.Net.Sockets;

namespace Ballast.Ingress.Tests.Support;

/// <summary>A port the OS just handed out (bind 0, read, release): for listeners a snapshot must name up front.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
