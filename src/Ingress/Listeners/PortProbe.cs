using System.Net;
using System.Net.Sockets;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// Checks, before a snapshot is applied, that each listener it adds can bind its address and port: a socket is bound
/// (and, for TCP, put to listen) as Kestrel or the L4 listener would, then closed at once. A port another process holds
/// makes the snapshot a failed reload while the last good one keeps serving, instead of a data plane that switched to
/// routes whose port never opens. The check and the real bind are not atomic: a port taken in between is still caught
/// by /readyz ("listeners not bound").
/// </summary>
public static class PortProbe
{
    /// <summary>"listener NAME cannot bind ADDRESS:PORT: REASON" for each listener of <paramref name="listeners"/> that cannot bind.</summary>
    /// <param name="ours">Ports this process already holds, by transport (kept listeners are not probed: they are bound by us).</param>
    public static List<string> Unbindable(IEnumerable<ListenerSnapshot> listeners, ISet<(ProtocolType Transport, int Port)> ours)
    {
        var failures = new List<string>();
        var probed = new HashSet<(ProtocolType, string, int)>();
        foreach (var listener in listeners)
        {
            var transport = listener.Kind == ListenerKind.Udp ? ProtocolType.Udp : ProtocolType.Tcp;
            if (listener.Port == 0 || ours.Contains((transport, listener.Port)) || !probed.Add((transport, listener.Address, listener.Port))) continue;
            if (TryBind(listener.Address, listener.Port, transport) is { } error)
                failures.Add($"listener {listener.Name} cannot bind {Display(listener.Address)}:{listener.Port}: {error}");
        }
        return failures;
    }

    /// <summary>Null when the address and port can be bound now; else the system's reason ("Address already in use").</summary>
    public static string? TryBind(string address, int port, ProtocolType transport)
    {
        // A name rather than an IP literal is left to the real bind (and its error in /readyz).
        if (!IPAddress.TryParse(string.IsNullOrEmpty(address) ? "0.0.0.0" : address, out var ip)) return null;
        using var socket = transport == ProtocolType.Udp
            ? new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Kestrel binds "::" dual-stack: an IPv4 holder of the port conflicts with it too.
            if (ip.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            // As the TCP listeners bind: connections of a listener removed a moment ago (TIME_WAIT) do not hold the port,
            // a socket listening on it does.
            if (transport == ProtocolType.Tcp) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, port));
            if (transport == ProtocolType.Tcp) socket.Listen(1);
            return null;
        }
        catch (SocketException e)
        {
            return e.Message;
        }
    }

    private static string Display(string address) => address.Contains(':') ? "[" + address + "]" : address;
}
