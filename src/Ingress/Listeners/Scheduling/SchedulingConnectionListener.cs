using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Listeners.Scheduling;

/// <summary>
/// Kestrel's socket listener, with the scheduling chosen per accepted connection instead of once per process. Kestrel
/// builds a connection's pipes from a <see cref="SocketConnectionContextFactory"/> whose options fix the scheduling, so
/// this listener holds one factory per scheduling and, in <see cref="ConnectionSchedulingMode.PerConnection"/>, waits for
/// the client's first bytes (peeked, not consumed) before it creates the connection and hands it to Kestrel. A client
/// silent for <c>firstBytesWait</c> is handed over inline; Kestrel's own timeouts take it from there.
/// Accepting runs in a loop of its own, so a slow client never holds up the next one.
/// </summary>
public sealed class SchedulingConnectionListener : IConnectionListener
{
    private readonly Socket _listenSocket;
    private readonly ConnectionSchedulingMode _mode;
    private readonly TimeSpan _firstBytesWait;
    private readonly TimeProvider _time;
    private readonly bool _noDelay;
    private readonly ILogger _logger;
    private readonly Lazy<SocketConnectionContextFactory> _inline;
    private readonly Lazy<SocketConnectionContextFactory> _threadPool;
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new() { SingleReader = true });
    private readonly CancellationTokenSource _unbound = new();
    private readonly Task _acceptLoop;
    private int _unbinding;

    private SchedulingConnectionListener(Socket listenSocket, SocketTransportOptions options, ConnectionSchedulingMode mode,
        TimeSpan firstBytesWait, TimeProvider time, ILogger logger)
    {
        _listenSocket = listenSocket;
        _mode = mode;
        _firstBytesWait = firstBytesWait;
        _time = time;
        _noDelay = options.NoDelay;
        _logger = logger;
        _inline = new(() => new SocketConnectionContextFactory(FactoryOptions(options, inline: true), logger));
        _threadPool = new(() => new SocketConnectionContextFactory(FactoryOptions(options, inline: false), logger));
        EndPoint = listenSocket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    /// <summary>
    /// How long a new connection may stay silent before it is handed over unclassified: long enough for a client's first
    /// flight, which follows the handshake at once; short, because Kestrel's timeouts do not run for it until then.
    /// </summary>
    public static readonly TimeSpan DefaultFirstBytesWait = TimeSpan.FromSeconds(1);

    /// <summary>Binds and listens as Kestrel's socket transport does; a taken port is an <see cref="AddressInUseException"/>, as there.</summary>
    public static SchedulingConnectionListener Bind(EndPoint endpoint, SocketTransportOptions options, ConnectionSchedulingMode mode,
        TimeSpan firstBytesWait, TimeProvider time, ILogger logger)
    {
        Socket socket;
        try
        {
            socket = options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }
        try
        {
            socket.Listen(options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new SchedulingConnectionListener(socket, options, mode, firstBytesWait, time, logger);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null; // unbound
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbinding, 1) == 0)
        {
            _unbound.Cancel();
            _listenSocket.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        await _acceptLoop;
        while (_accepted.Reader.TryRead(out var never)) await never.DisposeAsync(); // accepted, never taken by Kestrel
        if (_inline.IsValueCreated) _inline.Value.Dispose();
        if (_threadPool.IsValueCreated) _threadPool.Value.Dispose();
        _unbound.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var pending = new List<Task>();
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync(_unbound.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                                      || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                break; // unbound
            }
            catch (SocketException e)
            {
                // A client that reset before it was accepted: nothing to hand over (Kestrel logs this at Debug too).
                _logger.LogDebug(e, "accept on {EndPoint} failed", EndPoint);
                continue;
            }
            if (socket.LocalEndPoint is IPEndPoint) socket.NoDelay = _noDelay;
            var scheduling = _mode switch
            {
                ConnectionSchedulingMode.Inline => ConnectionScheduling.Inline,
                ConnectionSchedulingMode.ThreadPool => ConnectionScheduling.ThreadPool,
                _ => Peek(socket),
            };
            if (scheduling is { } known) Hand(socket, known);
            else
            {
                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(HandWhenFirstBytesAsync(socket));
            }
        }
        try
        {
            await Task.WhenAll(pending);
        }
        finally
        {
            _accepted.Writer.TryComplete(); // AcceptAsync returns null from now on
        }
    }

    /// <summary>The scheduling the bytes already received tell, or null when none have arrived yet.</summary>
    private static ConnectionScheduling? Peek(Socket socket)
    {
        try
        {
            if (socket.Available == 0) return null;
            Span<byte> first = stackalloc byte[FirstBytes.Needed];
            var read = socket.Receive(first, SocketFlags.Peek);
            return FirstBytes.Classify(first[..read]);
        }
        catch (SocketException)
        {
            return ConnectionScheduling.Inline; // Kestrel will find the socket broken and close it
        }
    }

    private async Task HandWhenFirstBytesAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(_firstBytesWait, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_unbound.Token, timeout.Token);
        try
        {
            // A zero-byte receive completes when bytes (or the client's FIN) arrive, and consumes nothing.
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, wait.Token);
        }
        catch (OperationCanceledException) when (!_unbound.IsCancellationRequested)
        {
            // Silent this long: handed over inline; Kestrel's own first-bytes and header timeouts take it from there.
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            socket.Dispose(); // unbound while waiting, or the client went away before it said anything
            return;
        }
        Hand(socket, Peek(socket) ?? ConnectionScheduling.Inline);
    }

    private void Hand(Socket socket, ConnectionScheduling scheduling)
    {
        if (_unbound.IsCancellationRequested)
        {
            socket.Dispose();
            return;
        }
        ConnectionContext connection;
        try
        {
            var factory = scheduling == ConnectionScheduling.Inline ? _inline.Value : _threadPool.Value;
            connection = factory.Create(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client went away between accept and here; the accept loop must go on (Kestrel's does the same).
            _logger.LogDebug(e, "connection on {EndPoint} closed before it was handed over", EndPoint);
            socket.Dispose();
            return;
        }
        connection.Features.Set<IConnectionSchedulingFeature>(ConnectionSchedulingFeature.Of(scheduling));
        _accepted.Writer.TryWrite(connection); // cannot fail: the channel completes only after every Hand has run (AcceptLoopAsync)
    }

    private static SocketConnectionFactoryOptions FactoryOptions(SocketTransportOptions options, bool inline) => new()
    {
        IOQueueCount = options.IOQueueCount,
        WaitForDataBeforeAllocatingBuffer = options.WaitForDataBeforeAllocatingBuffer,
        MaxReadBufferSize = options.MaxReadBufferSize,
        MaxWriteBufferSize = options.MaxWriteBufferSize,
        UnsafePreferInlineScheduling = inline,
    };
}
