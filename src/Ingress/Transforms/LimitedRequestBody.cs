namespace Ballast.Ingress.Transforms;

/// <summary>
/// A request body without a declared length (chunked, or HTTP/2 without content-length) read through a byte
/// budget: once the payload grows past it, reading fails with Kestrel's own 413 exception type, which the
/// forwarder reports as a client body error and <see cref="RouteShaping.End"/> turns into 413. Kestrel's
/// IHttpMaxRequestBodySizeFeature is not exact here: for chunked bodies it counts the chunk framing too.
/// </summary>
public sealed class LimitedRequestBody(Stream inner, long max) : Stream
{
    private long _read;

    public Stream Inner { get; } = inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(Inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer, cancellationToken));

    private int Count(int read)
    {
        _read += read;
        if (_read > max) throw new BadHttpRequestException($"Request body larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
