using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>
/// A real TCP backend on 127.0.0.1:0. By default it reads the client's stream to its end (the client's FIN)
/// and only then echoes it back and closes: a proxy that cut the return direction on the client's half-close
/// would lose the echo. Optional: a custom handler.
/// </summary>
internal sealed class TcpBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _handler;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _loop;
    private int _accepted;

    public TcpBackend(string name, Func<Socket, Task>? handler = null)
    {
        Name = name;
        _handler = handler ?? EchoAfterEofAsync;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _loop = AcceptLoopAsync();
    }

    public string Name { get; }
    public int Port { get; }
    public int Accepted => Volatile.Read(ref _accepted);
    public int Open => _open.Count;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket s;
            try { s = await _listener.AcceptAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _accepted);
            _open.TryAdd(s, 0);
            _ = Task.Run(async () =>
            {
                try { await _handler(s); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException) { }
                finally { _open.TryRemove(s, out _); s.Dispose(); }
            });
        }
    }

    public static async Task EchoAfterEofAsync(Socket s)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0) received.Write(buffer, 0, n);
        var data = received.GetBuffer().AsMemory(0, (int)received.Length);
        while (!data.IsEmpty) data = data[await s.SendAsync(data, SocketFlags.None)..];
        s.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Echoes as it reads (an interactive peer), closing after the client's FIN.</summary>
    public static async Task StreamingEchoAsync(Socket s)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            var data = buffer.AsMemory(0, n);
            while (!data.IsEmpty) data = data[await s.SendAsync(data, SocketFlags.None)..];
        }
        s.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Like a crashed process: the port stops listening and every open connection is reset.</summary>
    public void Kill()
    {
        _listener.Dispose();
        foreach (var s in _open.Keys)
        {
            try { s.LingerState = new LingerOption(true, 0); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            s.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _loop;
    }
}
