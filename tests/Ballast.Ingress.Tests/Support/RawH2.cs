using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A raw HTTP/2 (h2c prior knowledge) client that writes exact frames: lets a test send what HttpClient never
/// would (connection-specific fields, floods). Header blocks are HPACK literals without indexing or Huffman.
/// </summary>
public sealed class RawH2 : IAsyncDisposable
{
    public const byte Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawH2(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawH2> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RawH2(tcp);
        await client._stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await client.WriteFrameAsync(Settings, 0, 0, []);
        return client;
    }

    /// <summary>A header block for a GET of <paramref name="path"/> plus the given fields (names lower case).</summary>
    public static byte[] Block(string path, params (string Name, string Value)[] fields) =>
        Fields([(":method", "GET"), (":scheme", "http"), (":path", path), (":authority", "shop.example"), .. fields]);

    /// <summary>A header block fragment of just these fields (for CONTINUATION frames).</summary>
    public static byte[] Fields(params (string Name, string Value)[] fields)
    {
        var block = new List<byte>();
        foreach (var (name, value) in fields)
        {
            block.Add(0x00); // literal without indexing, new name
            Literal(block, name);
            Literal(block, value);
        }
        return [.. block];
    }

    /// <summary>The server's first SETTINGS frame: parameter id → value.</summary>
    public async Task<Dictionary<int, uint>> ReadSettingsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var head = new byte[9];
        while (true)
        {
            await _stream.ReadExactlyAsync(head, timeout.Token);
            var payload = new byte[(head[0] << 16) | (head[1] << 8) | head[2]];
            await _stream.ReadExactlyAsync(payload, timeout.Token);
            if (head[3] != Settings || (head[4] & 0x1) != 0) continue; // not SETTINGS, or an ACK
            var settings = new Dictionary<int, uint>();
            for (var i = 0; i + 6 <= payload.Length; i += 6)
                settings[BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
            return settings;
        }
    }

    private static void Literal(List<byte> block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        if (bytes.Length < 127) block.Add((byte)bytes.Length);
        else
        {
            block.Add(127);
            var rest = bytes.Length - 127;
            while (rest >= 128) { block.Add((byte)(rest % 128 + 128)); rest /= 128; }
            block.Add((byte)rest);
        }
        block.AddRange(bytes);
    }

    public async Task WriteFrameAsync(byte type, byte flags, int stream, byte[] payload) =>
        await _stream.WriteAsync(Frame(type, flags, stream, payload));

    /// <summary>One frame's bytes (to write many at once with <see cref="WriteAsync"/>).</summary>
    public static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>Writes raw bytes (frames built with <see cref="Frame"/>) in one go.</summary>
    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>
    /// Reads frames until stream <paramref name="stream"/> gets a response HEADERS (its :status, from the static
    /// table byte Kestrel writes: 200, 204, 206, 304, 400, 404, 500; else 0), an RST_STREAM, or the connection
    /// gets a GOAWAY with an error or closes (a graceful GOAWAY lets the stream finish: reading goes on).
    /// Returns e.g. "status 400", "rst 1", "goaway 11", "closed". Stream 0 waits for the connection's end only.
    /// </summary>
    public async Task<string> ReadOutcomeAsync(int stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var head = new byte[9];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(head, timeout.Token);
                var length = (head[0] << 16) | (head[1] << 8) | head[2];
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload, timeout.Token);
                var id = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7fffffff;
                switch (head[3])
                {
                    case Headers when id == stream:
                        return "status " + (payload.Length > 0 ? payload[0] switch
                        {
                            0x88 => 200,
                            0x89 => 204,
                            0x8a => 206,
                            0x8b => 304,
                            0x8c => 400,
                            0x8d => 404,
                            0x8e => 500,
                            _ => 0,
                        } : 0);
                    case RstStream when id == stream:
                        return "rst " + BinaryPrimitives.ReadInt32BigEndian(payload);
                    case GoAway when BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)) is var code && code != 0:
                        return "goaway " + code;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return "closed";
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
