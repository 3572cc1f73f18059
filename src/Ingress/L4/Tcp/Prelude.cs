using System.Buffers;
using System.Net.Sockets;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// Bytes read from the client before a backend is chosen (PROXY header, ClientHello). They are forwarded
/// untouched once the backend is connected. The buffer is pooled and returned when the connection starts relaying.
/// </summary>
internal sealed class Prelude : IDisposable
{
    private byte[]? _buffer;

    public Prelude(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Prelude));
    public int Count { get; private set; }
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Count);
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Count);
    public bool IsFull => Count == Buffer.Length;

    /// <summary>Reads once more from the client; false on EOF (the client gave up) or a full buffer.</summary>
    public async ValueTask<bool> ReadMoreAsync(Socket client, CancellationToken cancellationToken)
    {
        if (IsFull) return false;
        var n = await client.ReceiveAsync(Buffer.AsMemory(Count), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        Count += n;
        return n > 0;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (a consumed PROXY header); the rest belongs to the stream.</summary>
    public void Consume(int count)
    {
        Buffer.AsSpan(count, Count - count).CopyTo(Buffer);
        Count -= count;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
