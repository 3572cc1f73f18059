using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.ProxyProtocol;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// The shared life of a TCP-based L4 listener (plain TCP and TLS passthrough): its own socket (not Kestrel),
/// an accept loop, one task per connection, the listener-wide and per-pool connection limits, the optional
/// PROXY header from an upstream balancer, the backend connect with retries, the relay, and a graceful stop.
/// Subclasses decide only which pool a connection goes to.
/// </summary>
public abstract class StreamProxyListener : IAsyncDisposable
{
    private readonly ConnectionLimit _listenerLimit;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly L4Metrics.ListenerPoolMetrics _unrouted;
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _open;
    private int _stopRequested;

    protected StreamProxyListener(L4ListenerOptions options)
    {
        Options = options;
        _listenerLimit = new ConnectionLimit(options.MaxConnections);
        _unrouted = options.Metrics.For(options.Name, "");
    }

    public L4ListenerOptions Options { get; }

    /// <summary>The bound address (the OS-chosen port when <see cref="L4ListenerOptions.Bind"/> asked for 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket ?? throw new InvalidOperationException("not started")).LocalEndPoint!;

    /// <summary>Connections currently open on this listener (routed or still being routed).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public void Start()
    {
        var bind = Options.Bind;
        var socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(bind);
        socket.Listen(Options.Backlog);
        _socket = socket;
        _acceptLoop = AcceptLoopAsync(socket);
    }

    /// <summary>Which pool this connection goes to, reading more of the client's first bytes into <paramref name="prelude"/> if needed.</summary>
    /// <returns>The pool, or null to drop the connection (counted as rejected).</returns>
    private protected abstract ValueTask<IL4EndpointSource?> RouteAsync(Socket client, Prelude prelude, CancellationToken handshakeDeadline);

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (Volatile.Read(ref _stopRequested) != 0) return;
                continue; // e.g. ECONNABORTED from a client that gave up in the backlog
            }
            if (!_listenerLimit.TryAcquire())
            {
                // Refuse politely: accept and close with a FIN, never touching the connections already accepted.
                _unrouted.Refused.Inc();
                L4Connection.Close(client, abortive: false);
                continue;
            }
            Interlocked.Increment(ref _open);
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        try
        {
            client.NoDelay = true;
            await ServeAsync(client).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A client or backend that vanished mid-setup: nothing to tell anyone beyond the metrics already counted.
        }
        finally
        {
            client.Dispose();
            _listenerLimit.Release();
            if (Interlocked.Decrement(ref _open) == 0 && Volatile.Read(ref _stopRequested) != 0) _allClosed.TrySetResult();
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var time = Options.TimeProvider;
        using var prelude = new Prelude(Math.Max(Options.MaxClientHelloBytes + ProxyProtocolReader.MaxHeaderLength, 4096));
        var peer = (IPEndPoint)client.RemoteEndPoint!;
        IL4EndpointSource? source;
        IPEndPoint clientAddress;
        using (var deadline = new CancellationTokenSource(Options.HandshakeTimeout, time))
        using (_stopping.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline))
        {
            try
            {
                var upstream = Options.AcceptProxyProtocol ? await ReadProxyHeaderAsync(client, prelude, deadline.Token).ConfigureAwait(false) : null;
                if (Options.AcceptProxyProtocol && upstream is null)
                {
                    _unrouted.Rejected.Inc();
                    return;
                }
                clientAddress = upstream ?? peer;
                source = await RouteAsync(client, prelude, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _unrouted.Rejected.Inc(); // too slow: the handshake deadline passed
                return;
            }
        }
        if (source is null)
        {
            _unrouted.Rejected.Inc();
            return;
        }

        var metrics = Options.Metrics.For(Options.Name, source.PoolId);
        if (!source.Connections.TryAcquire())
        {
            metrics.Refused.Inc();
            return;
        }
        try
        {
            await ProxyAsync(client, clientAddress, prelude, source, metrics).ConfigureAwait(false);
        }
        finally
        {
            source.Connections.Release();
        }
    }

    private async Task ProxyAsync(Socket client, IPEndPoint clientAddress, Prelude prelude, IL4EndpointSource source, L4Metrics.ListenerPoolMetrics metrics)
    {
        var time = Options.TimeProvider;
        var connected = await BackendConnector.ConnectAsync(source, clientAddress, ((IPEndPoint)client.LocalEndPoint!).Port, Options.MaxConnectAttempts, time, Options.Metrics, _stopping.Token).ConfigureAwait(false);
        if (connected.Socket is not { } backend || connected.Endpoint is not { } endpoint)
        {
            (connected.HadEndpoint ? metrics.ConnectFailed : metrics.NoEndpoint).Inc();
            return;
        }

        metrics.Accepted.Inc();
        metrics.Active.Inc();
        var connection = new L4Connection(client, clientAddress, time) { Backend = backend, Endpoint = endpoint, Owner = this };
        Options.Tracker.Add(connection);
        if (_drainDeadlinePassed) connection.Abort(); // raced with StopAsync's sweep: do not outlive the deadline
        var started = time.GetTimestamp();
        endpoint.OnRequestStarted();
        try
        {
            var endpointMetrics = Options.Metrics.For(source.PoolId, endpoint);
            await SendPrefaceAsync(backend, source, clientAddress, (IPEndPoint)client.LocalEndPoint!, prelude).ConfigureAwait(false);
            endpointMetrics.BytesIn.Inc(prelude.Count);
            prelude.Dispose(); // give the prelude buffer back before the long-lived relay rents its own
            await ByteRelay.RunAsync(connection, backend, Options.BufferSize, endpointMetrics.BytesIn, endpointMetrics.BytesOut, Options.IdleTimeout, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            connection.Abort();
        }
        finally
        {
            endpoint.OnRequestFinished(time.GetElapsedTime(started));
            Options.Tracker.Remove(connection);
            metrics.Active.Dec();
            backend.Dispose();
        }
    }

    /// <summary>The PROXY header (when the pool wants one) and the bytes already read, in one send where possible.</summary>
    private static async Task SendPrefaceAsync(Socket backend, IL4EndpointSource source, IPEndPoint client, IPEndPoint local, Prelude prelude)
    {
        if (source.ProxyProtocol != Model.Resources.ProxyProtocolVersion.None)
        {
            var header = new byte[ProxyProtocolWriter.MaxLength];
            var length = ProxyProtocolWriter.Write(header, source.ProxyProtocol, client, local);
            await SendAllAsync(backend, header.AsMemory(0, length)).ConfigureAwait(false);
        }
        if (prelude.Count > 0) await SendAllAsync(backend, prelude.Memory).ConfigureAwait(false);
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty) data = data[await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false)..];
    }

    /// <returns>The client address the header carries (the peer's own for LOCAL/UNKNOWN), or null when the header is bad.</returns>
    private static async ValueTask<IPEndPoint?> ReadProxyHeaderAsync(Socket client, Prelude prelude, CancellationToken deadline)
    {
        while (true)
        {
            if (!await prelude.ReadMoreAsync(client, deadline).ConfigureAwait(false)) return null;
            switch (ProxyProtocolReader.TryParse(prelude.Span, out var header, out var consumed))
            {
                case ProxyHeaderStatus.Invalid:
                    return null;
                case ProxyHeaderStatus.Complete:
                    prelude.Consume(consumed);
                    return header.Source ?? (IPEndPoint)client.RemoteEndPoint!;
            }
            if (prelude.Count >= ProxyProtocolReader.MaxHeaderLength) return null;
        }
    }

    private volatile bool _drainDeadlinePassed;

    /// <summary>
    /// Stops accepting at once; open connections keep going until <paramref name="drainTimeout"/>, then are closed.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0) return;
        _socket?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        if (Volatile.Read(ref _open) == 0) _allClosed.TrySetResult();
        var drained = await Task.WhenAny(_allClosed.Task, Task.Delay(drainTimeout, Options.TimeProvider)).ConfigureAwait(false) == _allClosed.Task;
        if (!drained)
        {
            _drainDeadlinePassed = true;
            _stopping.Cancel();
            foreach (var connection in Options.Tracker.Snapshot())
            {
                if (connection.Owner == this) connection.Abort();
            }
            await _allClosed.Task.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
