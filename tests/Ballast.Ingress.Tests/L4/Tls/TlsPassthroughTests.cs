using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ballast.Ingress.L4;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.Tcp;
using Ballast.Ingress.L4.Tls;
using Ballast.Ingress.Tests.L4.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.L4.Tls;

[Trait("Category", "Integration")]
public sealed class TlsPassthroughTests
{
    private static TlsPassthroughListener Start(SniRouter<IL4EndpointSource> router, L4Metrics metrics, TimeProvider? time = null)
    {
        var listener = new TlsPassthroughListener(new L4ListenerOptions
        {
            Name = "tls-test",
            Metrics = metrics,
            TimeProvider = time ?? TimeProvider.System,
            HandshakeTimeout = TimeSpan.FromSeconds(5),
        }, router);
        listener.Start();
        return listener;
    }

    /// <summary>Runs a TLS exchange through the proxy; returns the backend's answer and the certificate the client saw.</summary>
    private static async Task<(string Answer, X509Certificate2 Seen)> TalkAsync(IPEndPoint proxy, string host)
    {
        using var socket = await SocketIo.ConnectAsync(proxy);
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, cert, _, _) => { seen = new X509Certificate2(cert!); return true; },
        }).WaitAsync(TimeSpan.FromSeconds(10));
        await ssl.WriteAsync(Encoding.ASCII.GetBytes("hello\n"));
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        var answer = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (answer!, seen!);
    }

    [Fact]
    public async Task Two_hostnames_on_one_port_reach_two_backends_and_the_client_sees_each_backends_own_certificate()
    {
        await using var a = new TlsBackend("a", "a.example.test");
        await using var b = new TlsBackend("b", "b.example.test");
        var poolA = new RoundRobinSource("shop/a", a.Port);
        var poolB = new RoundRobinSource("shop/b", b.Port);
        var router = new SniRouter<IL4EndpointSource>([new("a.example.test", poolA), new("*.wild.test", poolB)], defaultTarget: null);
        await using var proxy = Start(router, ProxyFixture.NewMetrics());

        var (answerA, certA) = await TalkAsync(proxy.LocalEndPoint, "a.example.test");
        Assert.Equal("a:hello", answerA);
        Assert.Equal(a.Certificate.Thumbprint, certA.Thumbprint);

        var (answerB, certB) = await TalkAsync(proxy.LocalEndPoint, "x.wild.test"); // wildcard route
        Assert.Equal("b:hello", answerB);
        Assert.Equal(b.Certificate.Thumbprint, certB.Thumbprint);
    }

    [Fact]
    public async Task An_unrouted_name_is_dropped_and_a_default_route_catches_it_when_configured()
    {
        await using var a = new TlsBackend("a", "a.example.test");
        var pool = new RoundRobinSource("shop/a", a.Port);
        var metrics = ProxyFixture.NewMetrics();
        await using (var strict = Start(new SniRouter<IL4EndpointSource>([new("a.example.test", pool)], null), metrics))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => TalkAsync(strict.LocalEndPoint, "nobody.test"));
            Assert.Equal(0, a.Accepted);
            await Eventually.True(() => metrics.For("tls-test", "").Rejected.Value == 1, "rejected counted");
        }
        await using var lenient = Start(new SniRouter<IL4EndpointSource>([], pool), ProxyFixture.NewMetrics());
        Assert.Equal("a:hello", (await TalkAsync(lenient.LocalEndPoint, "nobody.test")).Answer);
    }

    [Fact]
    public async Task Malformed_oversized_and_slow_ClientHellos_are_dropped_without_affecting_other_connections()
    {
        await using var a = new TlsBackend("a", "a.example.test");
        var pool = new RoundRobinSource("shop/a", a.Port);
        var metrics = ProxyFixture.NewMetrics();
        var time = new FakeTimeProvider();
        await using var proxy = Start(new SniRouter<IL4EndpointSource>([new("a.example.test", pool)], null), metrics, time);

        using var slow = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await SocketIo.SendAllAsync(slow, new byte[] { 0x16, 0x03, 0x01 }); // a record header begun, never finished

        using var plainHttp = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await SocketIo.SendAllAsync(plainHttp, "GET / HTTP/1.1\r\nHost: a.example.test\r\n\r\n"u8.ToArray());
        Assert.True(await SocketIo.IsClosedByPeerAsync(plainHttp));

        using var oversized = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await SocketIo.SendAllAsync(oversized, new byte[] { 0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x80, 0x00 }); // 32 KiB ClientHello announced
        Assert.True(await SocketIo.IsClosedByPeerAsync(oversized));

        // A good client is served while the slow one is still pending.
        Assert.Equal("a:hello", (await TalkAsync(proxy.LocalEndPoint, "a.example.test")).Answer);
        Assert.False(await SocketIo.IsClosedByPeerAsync(slow, timeoutMs: 100));

        time.Advance(TimeSpan.FromSeconds(5)); // the handshake deadline passes
        Assert.True(await SocketIo.IsClosedByPeerAsync(slow));
        await Eventually.True(() => metrics.For("tls-test", "").Rejected.Value == 3, "three rejections counted");
        Assert.Equal(1, a.Accepted);
    }
}
