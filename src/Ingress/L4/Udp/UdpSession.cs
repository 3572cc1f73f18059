using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4.Udp;

/// <summary>
/// One client of a UDP listener: its address, the endpoint it is pinned to, and a connected upstream socket
/// whose replies go back to exactly this client.
/// </summary>
internal sealed class UdpSession
{
    private readonly TimeProvider _time;
    private long _lastActivity;

    public UdpSession(IL4EndpointSource pool, SocketAddress clientKey, IPEndPoint client, EndpointState endpoint, Socket upstream, byte[] proxyHeader, TimeProvider time)
    {
        Pool = pool;
        ClientKey = clientKey;
        Client = client;
        Endpoint = endpoint;
        Upstream = upstream;
        ProxyHeader = proxyHeader;
        _time = time;
        Started = time.GetTimestamp();
        Touch();
    }

    /// <summary>The client's address as the socket reports it: the session table's key.</summary>
    public SocketAddress ClientKey { get; }
    public IPEndPoint Client { get; }
    public EndpointState Endpoint { get; }
    public Socket Upstream { get; }
    /// <summary>PROXY v2 (DGRAM) header put before every datagram for this session, or empty.</summary>
    public byte[] ProxyHeader { get; }
    public long Started { get; }
    public Task? ReplyLoop { get; set; }
    /// <summary>Cached labelled counters, so a datagram costs no lookup.</summary>
    public Metrics.L4Metrics.EndpointMetrics? Counters { get; set; }
    /// <summary>The pool the session was opened on (the listener's source may be swapped later).</summary>
    public IL4EndpointSource Pool { get; }
    /// <summary>The pool's flow-table handle (hashing pools): disposed when the session closes.</summary>
    public IDisposable? Flow { get; set; }

    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());
    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
}
