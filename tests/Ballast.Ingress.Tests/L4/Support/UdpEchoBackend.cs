using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Ingress.L4.ProxyProtocol;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>
/// A real UDP backend on 127.0.0.1:0 that answers each datagram with "name|payload" and records who sent what.
/// With <paramref name="expectProxyHeader"/>, each datagram must start with a PROXY v2 header: the answer is
/// "name|client|payload" (client: the header's source), and a datagram without one is answered "name|no-header".
/// </summary>
internal sealed class UdpEchoBackend : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Task _loop;

    private readonly bool _expectProxyHeader;

    public UdpEchoBackend(string name, bool expectProxyHeader = false)
    {
        Name = name;
        _expectProxyHeader = expectProxyHeader;
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
            var reply = Answer(buffer.AsSpan(0, r.ReceivedBytes), r.RemoteEndPoint);
            await _socket.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint);
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> received, EndPoint sender)
    {
        var prefix = "";
        if (_expectProxyHeader)
        {
            if (ProxyProtocolReader.TryParse(received, out var header, out var consumed) != ProxyHeaderStatus.Complete || header.Version != 2)
                return Encoding.ASCII.GetBytes($"{Name}|no-header");
            prefix = header.Source + "|";
            received = received[consumed..];
        }
        var text = Encoding.ASCII.GetString(received);
        SendersByClient.GetOrAdd(text.Split(':')[0], _ => []).Add(sender);
        return Encoding.ASCII.GetBytes($"{Name}|{prefix}{text}");
    }

    public void Dispose() => _socket.Dispose();
}
