using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.L4.ProxyProtocol;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.L4.ProxyProtocol;

[Trait("Category", "Integration")]
public sealed class ProxyProtocolEndToEndTests
{
    /// <summary>A backend that reads a PROXY header (with our reader), reports it, then echoes the rest of the stream.</summary>
    private static TcpBackend HeaderReadingBackend(TaskCompletionSource<(ProxyHeader Header, byte[] Stream)> seen)
        => new("pp", async s =>
        {
            var buffer = new byte[4096];
            var count = 0;
            while (true)
            {
                var n = await s.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None);
                if (n == 0) throw new IOException("EOF before the PROXY header");
                count += n;
                var status = ProxyProtocolReader.TryParse(buffer.AsSpan(0, count), out var header, out var consumed);
                if (status == ProxyHeaderStatus.Invalid) throw new IOException("bad PROXY header");
                if (status != ProxyHeaderStatus.Complete) continue;
                var rest = buffer.AsSpan(consumed, count - consumed).ToArray();
                var more = await SocketIo.ReadToEndAsync(s);
                seen.TrySetResult((header, [.. rest, .. more]));
                return;
            }
        });

    [Theory]
    [InlineData(ProxyProtocolVersion.V2)]
    [InlineData(ProxyProtocolVersion.V1)]
    public async Task The_backend_receives_a_PROXY_header_with_the_real_client_address_and_port(ProxyProtocolVersion version)
    {
        var seen = new TaskCompletionSource<(ProxyHeader Header, byte[] Stream)>();
        await using var backend = HeaderReadingBackend(seen);
        var source = new RoundRobinSource("db/pg", backend.Port) { ProxyProtocol = version };
        await using var proxy = ProxyFixture.StartTcp(source, ProxyFixture.NewMetrics());

        using var client = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await SocketIo.SendAllAsync(client, "payload"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        var (header, rest) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(version == ProxyProtocolVersion.V2 ? 2 : 1, header.Version);
        Assert.Equal((IPEndPoint)client.LocalEndPoint!, header.Source);   // the client's own address and port
        Assert.Equal(proxy.LocalEndPoint, header.Destination);              // the address it connected to
        Assert.Equal("payload"u8.ToArray(), rest);                          // the stream follows the header untouched
    }

    [Fact]
    public async Task A_listener_accepting_PROXY_from_an_upstream_balancer_passes_the_original_client_on()
    {
        var seen = new TaskCompletionSource<(ProxyHeader Header, byte[] Stream)>();
        await using var backend = HeaderReadingBackend(seen);
        var source = new RoundRobinSource("db/pg", backend.Port) { ProxyProtocol = ProxyProtocolVersion.V2 };
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = ProxyFixture.StartTcp(source, metrics, o => o with { AcceptProxyProtocol = true });

        using var upstream = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        // Header and first bytes in one segment: the proxy must split them exactly.
        await SocketIo.SendAllAsync(upstream, "PROXY TCP4 198.51.100.9 192.0.2.1 40000 5432\r\nSELECT 1"u8.ToArray());
        upstream.Shutdown(SocketShutdown.Send);
        var (header, rest) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:40000"), header.Source);
        Assert.Equal("SELECT 1"u8.ToArray(), rest);

        // Without a valid header the connection is dropped and never reaches a backend.
        using var direct = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await SocketIo.SendAllAsync(direct, "SELECT 1\r\n"u8.ToArray());
        Assert.True(await SocketIo.IsClosedByPeerAsync(direct));
        Assert.Equal(1, backend.Accepted);
        await Eventually.True(() => metrics.For("tcp-test", "").Rejected.Value == 1, "rejected counted");
    }
}
