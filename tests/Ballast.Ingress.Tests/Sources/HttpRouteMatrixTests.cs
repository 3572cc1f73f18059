using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Ballast.Ingress.Tests.Support;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// The conformance-derived request matrix: every exchange of <see cref="HttpRouteExchanges"/> sent through a
/// standalone ingress serving <c>conformance-routes.yaml</c> to echo backends that report what they received. One theory, one
/// case per exchange; a case names its feature and what it shows. An exchange goes as HTTP/1.1, as h2c (prior knowledge),
/// over TLS with an SNI of its own to the HTTPS listeners, or as a WebSocket upgrade.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HttpRouteMatrixTests(ConformanceGateway gateway) : IClassFixture<ConformanceGateway>
{
    [Theory]
    [MemberData(nameof(HttpRouteExchanges.Keys), MemberType = typeof(HttpRouteExchanges))]
    public async Task Exchange(string key)
    {
        var exchange = HttpRouteExchanges.All.Single(e => e.Key == key);
        if (exchange.WebSocket)
        {
            await WebSocketAsync(exchange);
            return;
        }
        string? served = null;
        using var tls = exchange.Sni is { } sni ? TlsClient(sni, subject => served = subject) : null;
        var client = tls ?? gateway.Client;
        var answered = new HashSet<string>();
        for (var i = 0; i < exchange.Times; i++)
        {
            if (exchange.Method.Any(char.IsLower))
            {
                // HttpClient upper-cases a known method; the raw request keeps it as written.
                await using var raw = await RawHttp.ConnectAsync(gateway.Port);
                var (status, _) = await raw.SendAsync($"{exchange.Method} {exchange.Path} HTTP/1.1\r\nHost: {exchange.Host}\r\nConnection: close\r\n\r\n");
                Assert.Equal(exchange.Status, status);
                continue;
            }
            using var request = new HttpRequestMessage(new HttpMethod(exchange.Method), exchange.Path);
            if (exchange.H2c) (request.Version, request.VersionPolicy) = (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact);
            if (exchange.Host.Length > 0) request.Headers.Host = exchange.Host;
            foreach (var (name, value) in exchange.Headers) request.Headers.TryAddWithoutValidation(name, value);
            if (exchange.Body is { } body) request.Content = new StringContent(body);
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(exchange.Status == (int)response.StatusCode, $"{key}: expected {exchange.Status}, got {(int)response.StatusCode}: {text}");
            Assert.Equal(exchange.H2c ? HttpVersion.Version20 : HttpVersion.Version11, response.Version);
            if (exchange.Certificate is { } subject) Assert.Equal("CN=" + subject, served);
            if (exchange.Location is { } location)
                Assert.Equal(Expand(location, ""), response.Headers.Location?.OriginalString);
            if (exchange.Status != 200) continue;

            var seen = EchoBackend.Parse(text);
            answered.Add(seen.Backend);
            if (exchange.Backends.Length > 0) Assert.Contains(seen.Backend, exchange.Backends);
            if (exchange.SeenPath is { } path) Assert.Equal(path, seen.Path + seen.Query);
            if (exchange.SeenHost is { } host) Assert.Equal(host, seen.Host);
            foreach (var (name, value) in exchange.SeenHeaders) Assert.Equal(Expand(value, seen.Backend), seen.Header(name));
            foreach (var name in exchange.AbsentHeaders) Assert.Null(seen.Header(name));
            foreach (var (name, value) in exchange.ResponseHeaders)
                Assert.Equal(Expand(value, seen.Backend), response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null);
            foreach (var name in exchange.AbsentResponseHeaders) Assert.False(response.Headers.Contains(name), $"{name} is still in the response");
        }
        // Every backend the exchange names answered (the split reaches each of them).
        if (exchange.Status == 200 && exchange.Method.All(c => !char.IsLower(c))) Assert.Equal(exchange.Backends.Order(), answered.Order());
    }

    private string Expand(string expected, string backend) =>
        expected.Replace("{port}", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{https-port}", gateway.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{backend}", backend, StringComparison.Ordinal);

    /// <summary>A connection to <paramref name="port"/> on 127.0.0.1, whatever host the request names.</summary>
    private static async ValueTask<NetworkStream> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// HTTP/1.1 over TLS to the HTTPS port with <paramref name="sni"/> as the SNI (HttpClient would send the Host header
    /// instead); <paramref name="served"/> gets the subject of the certificate the port presented.
    /// </summary>
    private HttpClient TlsClient(string sni, Action<string> served) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (_, ct) =>
        {
            var tls = new SslStream(await ConnectAsync(gateway.HttpsPort, ct));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                // Self-signed: which certificate the SNI selected is what counts.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => { served(certificate!.Subject); return true; },
            }, ct);
            return tls;
        },
    })
    { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpsPort}") };

    /// <summary>A WebSocket upgrade for the exchange's host and path: refused with its status, or echoed text and binary.</summary>
    private async Task WebSocketAsync(Exchange exchange)
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = async (_, ct) => await ConnectAsync(gateway.Port, ct) });
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{exchange.Host}:{gateway.Port}{exchange.Path}"), invoker, timeout.Token);
        }
        catch (WebSocketException) when (exchange.Status != 101)
        {
            Assert.Equal(exchange.Status, (int)socket.HttpStatusCode);
            return;
        }
        Assert.Equal(exchange.Status, (int)socket.HttpStatusCode);
        foreach (var (message, type) in new[] { (Encoding.UTF8.GetBytes("WebSocket support!"), WebSocketMessageType.Text), (new byte[] { 1, 2, 3, 4, 5, 6, 7 }, WebSocketMessageType.Binary) })
        {
            await socket.SendAsync(message, type, endOfMessage: true, timeout.Token);
            var buffer = new byte[64];
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(type, result.MessageType);
            Assert.Equal(message, buffer[..result.Count]);
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Fact]
    public void Every_exchange_has_a_name_of_its_own() =>
        Assert.Equal(HttpRouteExchanges.All.Length, HttpRouteExchanges.All.Select(e => e.Key).Distinct().Count());
}
