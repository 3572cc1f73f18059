using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>One proxied TCP connection: the two sockets, the endpoint, and the idle clock shared by both relay directions.</summary>
internal sealed class L4Connection
{
    private readonly TimeProvider _time;
    private long _lastActivity;
    private int _aborted;

    public L4Connection(Socket client, IPEndPoint clientAddress, TimeProvider time)
    {
        Client = client;
        ClientAddress = clientAddress;
        _time = time;
        Touch();
    }

    public Socket Client { get; }
    /// <summary>The real client: the peer address, or what an upstream PROXY header said.</summary>
    public IPEndPoint ClientAddress { get; }
    public Socket? Backend { get; set; }
    public EndpointState? Endpoint { get; set; }
    /// <summary>The listener that accepted it (the tracker is shared by all listeners).</summary>
    public object? Owner { get; set; }
    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Called on every read in either direction; a timestamp store, nothing more.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    /// <summary>Tears both sockets down (idle timeout, drain deadline, listener stop, a reset on one side); pending reads end.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        Close(Client, abortive: true);
        if (Backend is { } backend) Close(backend, abortive: true);
    }

    public static void Close(Socket socket, bool abortive)
    {
        try
        {
            if (abortive) socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }
}
