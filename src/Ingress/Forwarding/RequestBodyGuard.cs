namespace Ballast.Ingress.Forwarding;

/// <summary>
/// Wraps a request body to learn whether any of it was read (i.e. sent to a backend): such a body cannot be
/// replayed, so the request is not retried. Installed only on routes with retries, for requests that can have
/// a body; a GET without body costs nothing.
/// </summary>
public sealed class RequestBodyGuard : Stream
{
    private readonly Stream _inner;
    private volatile bool _started;

    public RequestBodyGuard(Stream inner) => _inner = inner;

    /// <summary>True once a read returned bytes.</summary>
    public bool Started => _started;

    public Stream Inner => _inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Mark(_inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Mark(_inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Mark(await _inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Mark(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Mark(int read)
    {
        if (read > 0 && !_started)
        {
            _started = true;
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
