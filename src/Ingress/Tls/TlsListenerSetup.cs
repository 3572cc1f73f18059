using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Ballast.Ingress.Tls;

/// <summary>
/// Turns a Kestrel listen endpoint into an HTTPS one: TLS 1.2/1.3 only, HTTP/2 or HTTP/1.1 by ALPN, and the
/// certificate chosen per handshake from <see cref="TlsCertificateStore.Current"/> by SNI. Two connection
/// middlewares around the TLS one count handshakes: the inner one sees each completed handshake, the outer one
/// sees connections that ended without one (a failure, with the reason the selection callback noted).
/// </summary>
public static class TlsListenerSetup
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public static void Configure(ListenOptions listen, int port, TlsCertificateStore store)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.Use(next => connection => ObserveAsync(next, connection, port, store));
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = HandshakeTimeout,
            OnConnection = context => SelectAsync(context, port, store),
        });
        listen.Use(next => connection =>
        {
            if (connection.Features.Get<HandshakeObservation>() is { } observation) observation.Completed = true;
            var handshake = connection.Features.Get<ITlsHandshakeFeature>();
            var alpn = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? default;
            var isH2 = alpn.Span.SequenceEqual("h2"u8);
            store.Metrics.Handshakes
                .WithLabels(ListenerName(store, port), VersionLabel(handshake?.Protocol ?? SslProtocols.None), isH2 ? "h2" : "http/1.1")
                .Inc();
            return next(connection);
        });
    }

    private static ValueTask<SslServerAuthenticationOptions> SelectAsync(TlsHandshakeCallbackContext context, int port, TlsCertificateStore store)
    {
        var observation = context.Connection.Features.Get<HandshakeObservation>();
        if (observation is not null) observation.HelloReceived = true;
        // The client offers only versions we refuse: SslStream will fail the handshake; note why for the metric.
        if ((context.ClientHelloInfo.SslProtocols & (SslProtocols.Tls12 | SslProtocols.Tls13)) == 0 && context.ClientHelloInfo.SslProtocols != SslProtocols.None)
        {
            if (observation is not null) observation.Reason = "protocol";
        }
        var selector = store.Current.GetValueOrDefault(port);
        var certificate = selector?.Select(context.ClientHelloInfo.ServerName);
        if (certificate is null)
        {
            if (observation is not null) observation.Reason = "no_certificate";
            throw new AuthenticationException($"no certificate for server name \"{context.ClientHelloInfo.ServerName}\" on port {port}");
        }
        return ValueTask.FromResult(certificate.Options);
    }

    private static async Task ObserveAsync(ConnectionDelegate next, ConnectionContext connection, int port, TlsCertificateStore store)
    {
        var observation = new HandshakeObservation();
        connection.Features.Set(observation);
        try
        {
            await next(connection);
        }
        finally
        {
            if (!observation.Completed)
            {
                // No ClientHello at all: the client closed, timed out or did not speak TLS.
                var reason = observation.Reason ?? (observation.HelloReceived ? "handshake" : "client_hello");
                store.Metrics.HandshakeFailures.WithLabels(ListenerName(store, port), reason).Inc();
            }
        }
    }

    private static string ListenerName(TlsCertificateStore store, int port) =>
        store.Current.GetValueOrDefault(port)?.Listener ?? port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string VersionLabel(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    /// <summary>Per-connection notes shared by the two counting middlewares and the selection callback.</summary>
    private sealed class HandshakeObservation
    {
        public bool HelloReceived;
        public bool Completed;
        public string? Reason;
    }
}
