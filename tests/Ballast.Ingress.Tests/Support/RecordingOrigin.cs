using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A raw TCP origin that records the exact request heads that reached it and answers each request with the
/// bytes it is given (well-formed by default, malformed when a test wants a bad backend). Reads
/// Content-Length and chunked request bodies so keep-alive connections stay in step.
/// </summary>
public sealed class RecordingOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private RecordingOrigin(TcpListener listener, string response)
    {
        _listener = listener;
        Response = response;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What the origin sends for every request.</summary>
    public string Response { get; set; }

    /// <summary>Request heads (request line and fields, without the blank line) in arrival order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    /// <summary>Connections accepted (a request that reached the origin needed one).</summary>
    public int Connections => Volatile.Read(ref _connections);
    private int _connections;

    public const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    public static RecordingOrigin Start(string response = Ok)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new RecordingOrigin(listener, response);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int end;
                while ((end = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                }

                var head = Encoding.Latin1.GetString([.. buffer.GetRange(0, end)]);
                Heads.Enqueue(head);
                buffer.RemoveRange(0, end + 4);
                await SkipBodyAsync(head, buffer, stream, chunk);
                await stream.WriteAsync(Encoding.Latin1.GetBytes(Response), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task SkipBodyAsync(string head, List<byte> buffer, NetworkStream stream, byte[] chunk)
    {
        var lines = head.Split("\r\n");
        string? Field(string name) => lines.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
        if (Field("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (IndexOf(buffer, "0\r\n\r\n"u8) < 0)
            {
                var read = await stream.ReadAsync(chunk, _stop.Token);
                if (read == 0) return;
                buffer.AddRange(chunk.AsSpan(0, read).ToArray());
            }
            buffer.RemoveRange(0, IndexOf(buffer, "0\r\n\r\n"u8) + 5);
            return;
        }

        var length = long.TryParse(Field("Content-Length"), out var l) ? l : 0;
        while (buffer.Count < length)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0) return;
            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }
        buffer.RemoveRange(0, (int)length);
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < value.Length && match; j++) match = buffer[i + j] == value[j];
            if (match) return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
