using System.Net.Sockets;
using System.Text;

namespace Ballast.Ingress.Tests.Support;

/// <summary>One raw HTTP/1.1 connection: exact bytes out, the status line and body back (Content-Length bodies).</summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttp(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawHttp(tcp);
    }

    /// <summary>The status line and header lines of the last response read.</summary>
    public string LastHead { get; private set; } = "";

    /// <summary>Sends the bytes and reads one response: (status code, body).</summary>
    public async Task<(int Status, string Body)> SendAsync(string request)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await ReadResponseAsync();
    }

    /// <summary>Reads one response (after <see cref="WriteAsync"/>): (status code, body).</summary>
    public async Task<(int Status, string Body)> ReadResponseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. _pending]);
            if (TryParse(text, out var status, out var body, out var consumed))
            {
                LastHead = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
                _pending.RemoveRange(0, consumed);
                return (status, body);
            }
            var read = await _stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) throw new IOException("connection closed before a full response");
            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Sends bytes without reading anything.</summary>
    public async Task WriteAsync(string request) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(request));

    /// <summary>
    /// True when the server closed the connection (end of stream or reset) with nothing more to read; false when
    /// bytes arrive or nothing happens within <paramref name="within"/> (default 10 s).
    /// </summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan? within = null)
    {
        if (_pending.Count > 0) return false;
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _stream.ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A complete response in <paramref name="text"/>: Content-Length or chunked body.</summary>
    private static bool TryParse(string text, out int status, out string body, out int consumed)
    {
        (status, body, consumed) = (0, "", 0);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        var head = text[..end].Split("\r\n");
        status = int.Parse(head[0].Split(' ')[1]);
        string? Header(string name) => head.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
        var position = end + 4;
        if (string.Equals(Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            var content = new StringBuilder();
            while (true)
            {
                var lineEnd = text.IndexOf("\r\n", position, StringComparison.Ordinal);
                if (lineEnd < 0) return false;
                var size = Convert.ToInt32(text[position..lineEnd].Split(';')[0], 16);
                if (text.Length < lineEnd + 2 + size + 2) return false;
                content.Append(text, lineEnd + 2, size);
                position = lineEnd + 2 + size + 2;
                if (size == 0) break;
            }
            (body, consumed) = (content.ToString(), position);
            return true;
        }
        var length = int.Parse(Header("Content-Length") ?? "0");
        if (text.Length < position + length) return false;
        (body, consumed) = (text.Substring(position, length), position + length);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
