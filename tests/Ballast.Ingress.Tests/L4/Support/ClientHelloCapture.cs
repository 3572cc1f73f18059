using System.Net.Security;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>Captures the real ClientHello .NET's SslStream sends for a given host name (no network involved).</summary>
internal static class ClientHelloCapture
{
    public static async Task<byte[]> ForHostAsync(string targetHost)
    {
        var capture = new CaptureStream();
        var ssl = new SslStream(capture);
        var handshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var hello = await capture.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        capture.Fail();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return hello;
    }

    /// <summary>Re-frames one TLS record's handshake payload into records of at most <paramref name="chunk"/> bytes.</summary>
    public static byte[] Fragment(byte[] record, int chunk)
    {
        var payload = record.AsSpan(5);
        using var output = new MemoryStream();
        for (var at = 0; at < payload.Length; at += chunk)
        {
            var part = payload.Slice(at, Math.Min(chunk, payload.Length - at));
            output.Write([0x16, 0x03, 0x01, (byte)(part.Length >> 8), (byte)part.Length]);
            output.Write(part);
        }
        return output.ToArray();
    }

    private sealed class CaptureStream : Stream
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<byte[]> FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Fail() => _failed.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            FirstWrite.TrySetResult(buffer.ToArray());
            await Task.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _failed.Task;
            return 0; // EOF: the handshake fails and the capture ends
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override void Write(byte[] buffer, int offset, int count) => FirstWrite.TrySetResult(buffer.AsSpan(offset, count).ToArray());
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
