using System.Buffers;
using System.Net.Sockets;
using Ballast.Ingress.L4.Tcp;

namespace Ballast.Ingress.L4.Tls;

/// <summary>
/// TLS passthrough (protocol: TLS, mode: Passthrough): reads the ClientHello without terminating TLS, routes by
/// its server name (exact, then wildcard, then the default route) and forwards every byte untouched, so the
/// client sees the backend's own certificate. A ClientHello that is malformed, larger than
/// <see cref="L4ListenerOptions.MaxClientHelloBytes"/> or slower than <see cref="L4ListenerOptions.HandshakeTimeout"/>
/// drops only its own connection.
/// </summary>
public sealed class TlsPassthroughListener : StreamProxyListener
{
    private volatile SniRouter<IL4EndpointSource> _router;

    public TlsPassthroughListener(L4ListenerOptions options, SniRouter<IL4EndpointSource> router) : base(options) => _router = router;

    /// <summary>Swapped on a new snapshot; connections already routed keep their pool.</summary>
    public SniRouter<IL4EndpointSource> Router
    {
        get => _router;
        set => _router = value;
    }

    private protected override async ValueTask<IL4EndpointSource?> RouteAsync(Socket client, Prelude prelude, CancellationToken handshakeDeadline)
    {
        // Pooled: the reassembly space is needed only for the first few milliseconds of the connection.
        var scratch = ArrayPool<byte>.Shared.Rent(Options.MaxClientHelloBytes + ClientHelloParser.MaxHostNameLength);
        try
        {
            var reassembly = scratch.AsMemory(0, Options.MaxClientHelloBytes);
            var host = scratch.AsMemory(Options.MaxClientHelloBytes, ClientHelloParser.MaxHostNameLength);
            while (true)
            {
                // Bytes may already be there (after a PROXY header); parse before reading more.
                if (prelude.Count > 0)
                {
                    var status = ClientHelloParser.TryParse(prelude.Span, reassembly.Span, host.Span, out var hostLength);
                    if (status == ClientHelloStatus.Invalid) return null;
                    if (status == ClientHelloStatus.Complete) return _router.Route(host.Span[..hostLength])?.Choose();
                }
                if (prelude.IsFull) return null; // oversized
                if (!await prelude.ReadMoreAsync(client, handshakeDeadline).ConfigureAwait(false)) return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
