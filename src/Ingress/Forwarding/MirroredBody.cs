namespace Ballast.Ingress.Forwarding;

/// <summary>
/// The request body as the proxy forwards it, kept on the side for mirrors: every byte read is also copied into a
/// buffer of the declared length, and once the whole body has passed, <c>complete</c> gets it (once). The request
/// reads through as if nothing were there; the only cost is the copy of a body of at most
/// <see cref="RequestMirrors.MaxBodyBytes"/>.
/// </summary>
public sealed class MirroredBody : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _kept;
    private readonly Action<byte[]> _complete;
    private readonly Action _abandoned;
    private int _length;
    private bool _done;

    public MirroredBody(Stream inner, int declaredLength, Action<byte[]> complete, Action abandoned)
    {
        _inner = inner;
        _kept = new byte[declaredLength];
        _complete = complete;
        _abandoned = abandoned;
        if (declaredLength == 0) Finish();
    }

    /// <summary>The request is over: a body that never passed whole is not copied (the mirrors count it).</summary>
    public void End()
    {
        if (_done) return;
        _done = true;
        _abandoned();
    }

    private void Keep(ReadOnlySpan<byte> read)
    {
        if (_done) return;
        if (read.Length > _kept.Length - _length)
        {
            // More than declared (the server enforces the length; defensive): not a body a copy can carry.
            End();
            return;
        }
        read.CopyTo(_kept.AsSpan(_length));
        _length += read.Length;
        if (_length == _kept.Length) Finish();
    }

    private void Finish()
    {
        _done = true;
        _complete(_kept);
    }

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Keep(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Keep(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
