using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A raw TCP origin that records the exact request heads that reached it and answers each request with the
/// bytes it is given (well-formed by default, malformed when a test wants a bad backend). Reads
/// Content-Length and chunked request bodies to their end, so keep-alive connections stay in step and a test can
/// tell a complete body from an aborted one (<see cref="Bodies"/>).
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

    /// <summary>
    /// Per request head, in order, how its body ended: "complete" (read to its end as framed) or "aborted" (the
    /// connection ended or was reset first).
    /// </summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

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
        var inBody = false;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!await FillAsync(buffer, stream, chunk, () => IndexOf(buffer, "\r\n\r\n"u8) >= 0)) return;
                var end = IndexOf(buffer, "\r\n\r\n"u8);
                var head = Encoding.Latin1.GetString([.. buffer.GetRange(0, end)]);
                Heads.Enqueue(head);
                buffer.RemoveRange(0, end + 4);
                inBody = true;
                if (!await ReadBodyAsync(head, buffer, stream, chunk))
                {
                    Bodies.Enqueue("aborted");
                    return;
                }
                inBody = false;
                Bodies.Enqueue("complete");
                await stream.WriteAsync(Encoding.Latin1.GetBytes(Response), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (inBody) Bodies.Enqueue("aborted");
        }
    }

    /// <summary>Reads the request's body to its end as framed (chunked, Content-Length or none): false if the connection ended first.</summary>
    private async Task<bool> ReadBodyAsync(string head, List<byte> buffer, NetworkStream stream, byte[] chunk)
    {
        var lines = head.Split("\r\n");
        string? Field(string name) => lines.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
        if (Field("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                if (!await FillAsync(buffer, stream, chunk, () => IndexOf(buffer, "\r\n"u8) >= 0)) return false;
                var lineEnd = IndexOf(buffer, "\r\n"u8);
                var sizeLine = Encoding.Latin1.GetString([.. buffer.GetRange(0, lineEnd)]);
                buffer.RemoveRange(0, lineEnd + 2);
                var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while (true) // trailer fields, then the empty line
                    {
                        if (!await FillAsync(buffer, stream, chunk, () => IndexOf(buffer, "\r\n"u8) >= 0)) return false;
                        var trailerEnd = IndexOf(buffer, "\r\n"u8);
                        buffer.RemoveRange(0, trailerEnd + 2);
                        if (trailerEnd == 0) return true;
                    }
                }
                if (!await FillAsync(buffer, stream, chunk, () => buffer.Count >= size + 2)) return false;
                buffer.RemoveRange(0, size + 2);
            }
        }

        var length = long.TryParse(Field("Content-Length"), out var l) ? l : 0;
        if (!await FillAsync(buffer, stream, chunk, () => buffer.Count >= length)) return false;
        buffer.RemoveRange(0, (int)length);
        return true;
    }

    private async Task<bool> FillAsync(List<byte> buffer, NetworkStream stream, byte[] chunk, Func<bool> enough)
    {
        while (!enough())
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0) return false;
            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }
        return true;
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
