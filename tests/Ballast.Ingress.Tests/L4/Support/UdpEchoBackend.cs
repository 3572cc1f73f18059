using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>A real UDP backend on 127.0.0.1:0 that answers each datagram with "name|payload" and records who sent what.</summary>
internal sealed class UdpEchoBackend : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Task _loop;

    public UdpEchoBackend(string name)
    {
        Name = name;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _loop = LoopAsync();
    }

    public string Name { get; }
    public int Port { get; }
    /// <summary>Client tag (text before ':' in the payload) → the proxy-side addresses its datagrams came from.</summary>
    public ConcurrentDictionary<string, ConcurrentBag<EndPoint>> SendersByClient { get; } = new();

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        while (true)
        {
            SocketReceiveFromResult r;
            try { r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            var text = Encoding.ASCII.GetString(buffer, 0, r.ReceivedBytes);
            SendersByClient.GetOrAdd(text.Split(':')[0], _ => []).Add(r.RemoteEndPoint);
            await _socket.SendToAsync(Encoding.ASCII.GetBytes($"{Name}|{text}"), SocketFlags.None, r.RemoteEndPoint);
        }
    }

    public void Dispose() => _socket.Dispose();
}
