using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Ballast.Ingress.AccessLog;

/// <summary>Counts the request body bytes read through <c>Request.Body</c> (the stream YARP forwards from).</summary>
internal sealed class RequestBodyCounter(Stream inner) : Stream
{
    public Stream Inner { get; } = inner;
    public long Bytes { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Count(Inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));
    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await Inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer, cancellationToken));

    private int Count(int read)
    {
        Bytes += read;
        return read;
    }

    public override bool CanRead => Inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => Inner.Length;
    public override long Position { get => Inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Stands in for the response body feature: counts the bytes written through its stream and its pipe writer, and
/// notes when the first byte (or the start of the response) went out: the backend's first byte for a proxied request.
/// Everything else passes through to Kestrel's own feature.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The counting stream wraps Kestrel's response body, which Kestrel owns and disposes.")]
internal sealed class ResponseBodyCounter : IHttpResponseBodyFeature
{
    private readonly CountingStream _stream;
    private readonly CountingWriter _writer;

    public ResponseBodyCounter(IHttpResponseBodyFeature inner)
    {
        Inner = inner;
        _stream = new CountingStream(this);
        _writer = new CountingWriter(this);
    }

    public IHttpResponseBodyFeature Inner { get; }
    public long Bytes { get; private set; }
    /// <summary><see cref="Stopwatch"/> timestamp of the first byte or of the response start; 0 when neither happened.</summary>
    public long FirstByteTimestamp { get; private set; }

    public Stream Stream => _stream;
    public PipeWriter Writer => _writer;

    private void Started()
    {
        if (FirstByteTimestamp == 0) FirstByteTimestamp = Stopwatch.GetTimestamp();
    }

    private void Wrote(int count)
    {
        if (count > 0) Started();
        Bytes += count;
    }

    public void DisableBuffering() => Inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Started();
        return Inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        Started();
        Bytes += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return Inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync() => Inner.CompleteAsync();

    private sealed class CountingStream(ResponseBodyCounter owner) : Stream
    {
        private Stream Inner => owner.Inner.Stream;

        public override void Write(byte[] buffer, int offset, int count)
        {
            owner.Wrote(count);
            Inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Wrote(buffer.Length);
            Inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            owner.Wrote(count);
            return Inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Wrote(buffer.Length);
            return Inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => Inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class CountingWriter(ResponseBodyCounter owner) : PipeWriter
    {
        private PipeWriter Inner => owner.Inner.Writer;

        public override void Advance(int bytes)
        {
            owner.Wrote(bytes);
            Inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => Inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => Inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => Inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => Inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => Inner.CompleteAsync(exception);
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => Inner.FlushAsync(cancellationToken);
        public override bool CanGetUnflushedBytes => Inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => Inner.UnflushedBytes;
    }
}
