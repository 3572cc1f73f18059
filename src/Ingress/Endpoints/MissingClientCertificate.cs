using System.Net;
using System.Security.Authentication;
using Prometheus;

namespace Ballast.Ingress.Endpoints;

/// <summary>
/// A re-encrypted backend connection on which the backend asked for a client certificate and the pool has none.
/// A backend that only allows one serves on; a backend that requires one closes the connection with an alert, in
/// TLS 1.3 after our side of the handshake has completed, so the failure surfaces on the first read (the end of the
/// stream, or an I/O error) before any byte of a response (the request gets a 502). This stream names it: the first
/// such failure is counted in
/// <c>ballast_backend_tls_failures_total{reason="client_certificate_required"}</c> and logged with the fix.
/// Only connections of this kind pay for the wrapper.
/// </summary>
internal sealed class MissingClientCertificate(Stream inner, Counter.Child failures, ILogger logger, string pool, DnsEndPoint endpoint) : Stream
{
    public const string Reason = "client_certificate_required";

    private int _reported;
    private bool _answered; // the backend sent data: it accepted us, and a later failure is something else

    public static void Report(Counter.Child failures, ILogger logger, string pool, DnsEndPoint endpoint)
    {
        failures.Inc();
        logger.LogWarning("Pool {Pool}: backend {Host}:{Port} requires a client certificate and the pool has none; the request got a 502. " +
            "Set spec.tls.clientCertificateSecretRef (or clientCertificateFile and clientKeyFile) on the BackendPool.", pool, endpoint.Host, endpoint.Port);
    }

    private void Refused()
    {
        if (!_answered && Interlocked.Exchange(ref _reported, 1) == 0) Report(failures, logger, pool, endpoint);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0) _answered = true;
            // The backend closed before answering a byte (.NET reads its TLS 1.3 certificate_required alert as the end).
            else if (!buffer.IsEmpty) Refused();
            return read;
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            Refused();
            throw;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            Refused();
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
