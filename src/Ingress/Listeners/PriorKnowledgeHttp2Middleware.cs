using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 and HTTP/2 with prior knowledge (h2c). Kestrel picks HTTP/1.1 for a
/// cleartext Http1AndHttp2 endpoint because without ALPN the choice is "ambiguous"; but the first bytes decide
/// it: an HTTP/2 client starts with the fixed preface <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>, which is not a
/// valid HTTP/1.1 request line. This connection middleware peeks at those bytes (consuming nothing) and, on
/// the preface, presents Kestrel an ALPN result of "h2", so Kestrel's own protocol selection runs HTTP/2.
/// The ALPN answer rides on an <see cref="ITlsConnectionFeature"/> (Kestrel reads ALPN only when TLS is
/// present), which makes Kestrel consider the transport https: the server allows alternate schemes, and the
/// proxy resets the request scheme to http when <see cref="PriorKnowledgeHttp2Feature"/> is set.
/// </summary>
public sealed class PriorKnowledgeHttp2Middleware
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
    private static readonly byte[] H2 = "h2"u8.ToArray();

    private readonly ConnectionDelegate _next;
    private readonly TimeSpan _firstBytesTimeout;

    public PriorKnowledgeHttp2Middleware(ConnectionDelegate next, TimeSpan firstBytesTimeout)
    {
        _next = next;
        _firstBytesTimeout = firstBytesTimeout;
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        bool isHttp2;
        try
        {
            isHttp2 = await StartsWithPrefaceAsync(connection);
        }
        catch (OperationCanceledException)
        {
            // Silent client: close it, as Kestrel's request-headers timeout would have.
            return;
        }
        if (isHttp2)
        {
            var alpn = new CleartextAlpnFeature();
            connection.Features.Set<ITlsConnectionFeature>(alpn);
            connection.Features.Set<ITlsApplicationProtocolFeature>(alpn);
            connection.Features.Set(PriorKnowledgeHttp2Feature.Instance);
        }
        await _next(connection);
    }

    private async ValueTask<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(_firstBytesTimeout);
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var verdict = Compare(buffer);
            // Consume nothing; mark everything examined so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, verdict is null ? buffer.End : buffer.Start);
            if (verdict is { } v) return v;
            if (result.IsCompleted || result.IsCanceled) return false;
        }
    }

    /// <summary>True: the preface; false: something else; null: a prefix of the preface so far.</summary>
    internal static bool? Compare(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface[..length])) return false;
        return length == Preface.Length ? true : null;
    }

    /// <summary>ALPN "h2" for a cleartext connection; carries no certificate.</summary>
    private sealed class CleartextAlpnFeature : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => H2;
        public X509Certificate2? ClientCertificate { get; set; }
        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
