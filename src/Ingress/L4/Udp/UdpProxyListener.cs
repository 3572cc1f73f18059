using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.ProxyProtocol;
using Ballast.Model.Resources;

namespace Ballast.Ingress.L4.Udp;

/// <summary>
/// A UDP listener (protocol: UDP): one socket facing clients and a session per client address. A client's first
/// datagram picks an endpoint (hashing on its address where the pool asks) and opens a connected upstream
/// socket; later datagrams reuse it, and replies on it go back to that client. Sessions idle for
/// <see cref="UdpListenerOptions.SessionIdleTimeout"/> are swept by a <see cref="TimeProvider"/> timer.
/// With PROXY protocol v2 on the pool, every datagram carries a DGRAM header (v1 has no UDP form, so none is sent).
/// A placement that has to wait (a shared flow table asking Redis) never holds the receive loop: the client's
/// datagrams are held (<see cref="PendingSession"/>) while everyone else's keep flowing.
/// </summary>
public sealed class UdpProxyListener : IAsyncDisposable
{
    /// <summary>Room reserved before each received datagram so a PROXY v2 header can be written in front without a copy.</summary>
    private const int HeaderRoom = ProxyProtocolWriter.MaxV2Length;

    private readonly UdpListenerOptions _options;
    private readonly ConcurrentDictionary<SocketAddress, UdpSession> _sessions = new();
    private readonly ConcurrentDictionary<SocketAddress, PendingSession> _opening = new();
    private readonly ConnectionLimit _sessionLimit;
    private readonly L4Metrics.ListenerPoolMetrics _unrouted;
    private volatile IL4EndpointSource _source;
    private Socket? _socket;
    private System.Threading.ITimer? _sweeper;
    private Task? _receiveLoop;
    private int _stopped;

    public UdpProxyListener(UdpListenerOptions options, IL4EndpointSource source)
    {
        _options = options;
        _source = source;
        _sessionLimit = new ConnectionLimit(options.MaxSessions);
        _unrouted = options.Metrics.For(options.Name, "");
    }

    public IL4EndpointSource Source
    {
        get => _source;
        set => _source = value;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket ?? throw new InvalidOperationException("not started")).LocalEndPoint!;
    public int SessionCount => _sessions.Count;

    public void Start()
    {
        var socket = new Socket(_options.Bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (_options.Bind.AddressFamily == AddressFamily.InterNetworkV6 && _options.Bind.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        socket.Bind(_options.Bind);
        _socket = socket;
        var sweep = _options.SweepInterval ?? TimeSpan.FromTicks(Math.Max(_options.SessionIdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond));
        _sweeper = _options.TimeProvider.CreateTimer(static s => ((UdpProxyListener)s!).Sweep(), this, sweep, sweep);
        _receiveLoop = ReceiveLoopAsync(socket);
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderRoom + _options.MaxDatagramSize);
        var from = new SocketAddress(socket.AddressFamily);
        try
        {
            while (Volatile.Read(ref _stopped) == 0)
            {
                int n;
                try
                {
                    n = await socket.ReceiveFromAsync(buffer.AsMemory(HeaderRoom, _options.MaxDatagramSize), SocketFlags.None, from).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    continue; // an ICMP error from an earlier send surfaces here on some systems: not fatal for the listener
                }
                var received = buffer.AsMemory(HeaderRoom, n);
                var upstreamHeader = 0; // bytes of an upstream balancer's PROXY header at the start of the datagram
                if (_options.AcceptProxyProtocol && !ProxyProtocolReader.TryMeasureV2(received.Span, out upstreamHeader))
                {
                    _unrouted.Rejected.Inc();
                    continue;
                }
                if (!_sessions.TryGetValue(from, out var session))
                {
                    if (_opening.TryGetValue(from, out var pending))
                    {
                        pending.Hold(received.Span[upstreamHeader..]);
                        continue;
                    }
                    var key = new SocketAddress(from.Family, from.Size);
                    from.Buffer.Span.CopyTo(key.Buffer.Span);
                    var opening = OpenSessionAsync(socket, key, received.Span);
                    if (!opening.IsCompleted)
                    {
                        // Placement waits (Redis): hold this client's datagrams, serve the others meanwhile.
                        var held = new PendingSession();
                        held.Hold(received.Span[upstreamHeader..]);
                        _opening[key] = held;
                        _ = SendHeldWhenOpenAsync(key, opening, held);
                        continue;
                    }
                    session = opening.Result;
                }
                if (session is null) continue;
                session.Touch();
                var payload = n - upstreamHeader;
                var header = session.ProxyHeader;
                var start = HeaderRoom + upstreamHeader - header.Length; // our header goes over the upstream's, no copy of the payload
                header.CopyTo(buffer, start);
                await SendAsync(session, buffer.AsMemory(start, header.Length + payload), payload).ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // stopped
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Client → backend for one datagram (with our PROXY header in front when the pool wants one).</summary>
    private async ValueTask SendAsync(UdpSession session, ReadOnlyMemory<byte> datagram, int payload)
    {
        try
        {
            await session.Upstream.SendAsync(datagram, SocketFlags.None).ConfigureAwait(false);
            session.Counters!.DatagramsIn.Inc();
            session.Counters.BytesIn.Inc(payload);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(session); // the endpoint refused (ICMP) or the session was swept meanwhile: the next datagram re-picks
        }
    }

    /// <summary>Once a placement that had to wait is done, the datagrams held meanwhile go out in order.</summary>
    private async Task SendHeldWhenOpenAsync(SocketAddress key, ValueTask<UdpSession?> opening, PendingSession held)
    {
        UdpSession? session = null;
        try
        {
            session = await opening.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the listener stopped meanwhile
        }
        finally
        {
            _opening.TryRemove(key, out _);
        }
        foreach (var payload in held.Close())
        {
            if (session is null) return; // no endpoint, or refused: the held datagrams are dropped, as the first would be
            session.Touch();
            byte[] datagram = [.. session.ProxyHeader, .. payload];
            await SendAsync(session, datagram, payload.Length).ConfigureAwait(false);
        }
    }

    /// <param name="from">The client's address as received (a copy the session keeps as its key).</param>
    /// <param name="datagram">The first datagram; with <see cref="UdpListenerOptions.AcceptProxyProtocol"/> its header names the client.</param>
    private ValueTask<UdpSession?> OpenSessionAsync(Socket listener, SocketAddress from, ReadOnlySpan<byte> datagram)
    {
        var client = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from);
        if (_options.AcceptProxyProtocol && ProxyProtocolReader.TryParse(datagram, out var upstream, out _) == ProxyHeaderStatus.Complete
            && upstream.Source is not null)
        {
            client = upstream.Source; // LOCAL or UNSPEC keep the sender's own address, as on TCP
        }
        return OpenSessionAsync(listener, from, client);
    }

    private async ValueTask<UdpSession?> OpenSessionAsync(Socket listener, SocketAddress from, IPEndPoint client)
    {
        var source = _source.Choose();
        var metrics = _options.Metrics.For(_options.Name, source.PoolId);
        if (!_sessionLimit.TryAcquire())
        {
            metrics.Refused.Inc();
            return null;
        }
        if (!source.Connections.TryAcquire())
        {
            _sessionLimit.Release();
            metrics.Refused.Inc();
            return null;
        }
        var listenerPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var endpoint = await source.PlaceAsync(client, listenerPort).ConfigureAwait(false);
        if (endpoint is null)
        {
            source.Connections.Release();
            _sessionLimit.Release();
            metrics.NoEndpoint.Inc();
            return null;
        }
        var target = endpoint.SocketAddress;
        var upstreamSocket = new Socket(target is IPEndPoint ip ? ip.AddressFamily : AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await upstreamSocket.ConnectAsync(target).ConfigureAwait(false); // UDP connect: fixes the peer, filters replies to it
        }
        catch (SocketException)
        {
            upstreamSocket.Dispose();
            source.Connections.Release();
            _sessionLimit.Release();
            source.ReportConnectFailure(endpoint);
            _options.Metrics.For(source.PoolId, endpoint).ConnectFailures.Inc();
            metrics.ConnectFailed.Inc();
            return null;
        }
        var header = Array.Empty<byte>();
        if (source.ProxyProtocol == ProxyProtocolVersion.V2)
        {
            var bytes = new byte[ProxyProtocolWriter.MaxV2Length];
            var length = ProxyProtocolWriter.Write(bytes, ProxyProtocolVersion.V2, client, (IPEndPoint)listener.LocalEndPoint!, datagram: true);
            header = bytes[..length];
        }
        var session = new UdpSession(source, from, client, endpoint, upstreamSocket, header, _options.TimeProvider)
        {
            Counters = _options.Metrics.For(source.PoolId, endpoint),
            Flow = source.TrackFlow(client, listenerPort, endpoint),
        };
        if (!_sessions.TryAdd(from, session))
        {
            // The client's session opened meanwhile (a datagram that arrived while a waiting placement finished):
            // keep that one, undo this one.
            session.Flow?.Dispose();
            upstreamSocket.Dispose();
            source.Connections.Release();
            _sessionLimit.Release();
            return _sessions.GetValueOrDefault(from);
        }
        endpoint.OnRequestStarted();
        metrics.Accepted.Inc();
        metrics.UdpSessions.Inc();
        session.ReplyLoop = ReplyLoopAsync(listener, session, metrics);
        return session;
    }

    /// <summary>Backend → client for one session: replies arrive on the session's connected socket and go back to its client.</summary>
    private async Task ReplyLoopAsync(Socket listener, UdpSession session, L4Metrics.ListenerPoolMetrics listenerMetrics)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxDatagramSize);
        var metrics = session.Counters!;
        try
        {
            while (true)
            {
                var n = await session.Upstream.ReceiveAsync(buffer.AsMemory(0, _options.MaxDatagramSize), SocketFlags.None).ConfigureAwait(false);
                session.Touch();
                await listener.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, session.ClientKey).ConfigureAwait(false);
                metrics.DatagramsOut.Inc();
                metrics.BytesOut.Inc(n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // ICMP port unreachable: the endpoint is not listening. Passive health hears it; the next datagram re-picks.
            session.Pool.ReportConnectFailure(session.Endpoint);
            metrics.ConnectFailures.Inc();
            Close(session);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(session);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Forgets sessions idle for longer than the timeout.</summary>
    private void Sweep()
    {
        foreach (var (_, session) in _sessions)
        {
            if (session.IdleFor >= _options.SessionIdleTimeout) Close(session);
        }
    }

    private void Close(UdpSession session)
    {
        if (!_sessions.TryRemove(new KeyValuePair<SocketAddress, UdpSession>(session.ClientKey, session))) return;
        session.Upstream.Dispose();
        session.Flow?.Dispose();
        session.Endpoint.OnRequestFinished(_options.TimeProvider.GetElapsedTime(session.Started));
        session.Pool.Connections.Release();
        _sessionLimit.Release();
        _options.Metrics.For(_options.Name, session.Pool.PoolId).UdpSessions.Dec();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _sweeper?.Dispose();
        _socket?.Dispose();
        if (_receiveLoop is not null) await _receiveLoop.ConfigureAwait(false);
        foreach (var (_, session) in _sessions) Close(session);
    }
}
