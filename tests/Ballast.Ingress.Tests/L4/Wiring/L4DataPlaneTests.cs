using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Tests.L4.Wiring;

/// <summary>TCP, TLS passthrough and UDP through a whole <see cref="Hosting.IngressHost"/> started from a YAML folder.</summary>
[Trait("Category", "Integration")]
public sealed class L4DataPlaneTests
{
    internal static async Task<(IngressFixture Ingress, FolderSnapshotSource Source)> StartAsync(L4Folder folder)
    {
        var ingress = await IngressFixture.StartAsync();
        var source = new FolderSnapshotSource(folder.Path, ingress.Host, TimeProvider.System, TimeSpan.FromHours(1), NullLogger<FolderSnapshotSource>.Instance);
        await source.StartAsync();
        Assert.Empty(source.LastDiagnostics.Where(d => d.Severity == Model.Compilation.Severity.Error));
        return (ingress, source);
    }

    private static string TcpPolicy(int port, string backends) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: db }
        spec:
          listeners:
            - { name: db, port: {{port}}, protocol: TCP, address: 127.0.0.1 }
          tcpRoutes:
            - listener: db
              backends: {{backends}}
        """;

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await SocketIo.SendAllAsync(socket, bytes);
        return Encoding.ASCII.GetString(await SocketIo.ReadExactlyAsync(socket, bytes.Length));
    }

    [Fact]
    public async Task Tcp_echo_through_the_data_plane_follows_a_reload_to_another_pool_while_an_open_connection_keeps_its_pool()
    {
        await using var a = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        await using var b = new TcpBackend("b", TcpBackend.StreamingEchoAsync);
        using var folder = new L4Folder();
        var port = FreePort.Next();
        folder.Write("pools.yaml", L4Folder.Pool("a", "TCP", a.Port) + L4Folder.Pool("b", "TCP", b.Port));
        folder.Write("policy.yaml", TcpPolicy(port, "[ { pool: a } ]"));
        var (ingress, source) = await StartAsync(folder);
        await using var _ = ingress;
        await using var __ = source;
        var proxy = new IPEndPoint(IPAddress.Loopback, port);

        using var first = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("hello", await EchoAsync(first, "hello"));
        Assert.Equal((1, 0), (a.Accepted, b.Accepted));

        folder.Write("policy.yaml", TcpPolicy(port, "[ { pool: b } ]"));
        Assert.True(await source.ReloadAsync());
        Assert.Equal(2, ingress.Host.CurrentSnapshot.Version);

        Assert.Equal("still a", await EchoAsync(first, "still a")); // same socket, same backend, across the reload
        using var second = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("now b", await EchoAsync(second, "now b"));
        Assert.Equal((1, 1), (a.Accepted, b.Accepted));

        var metrics = await ingress.MetricsAsync();
        Assert.Contains("ballast_l4_connections_total{listener=\"db\",pool=\"default/a\",result=\"accepted\"} 1", metrics);
        Assert.Contains("ballast_l4_connections_total{listener=\"db\",pool=\"default/b\",result=\"accepted\"} 1", metrics);
        Assert.Contains("ballast_l4_active_connections{listener=\"db\",pool=\"default/a\"} 1", metrics);
    }

    [Fact]
    public async Task A_tcp_route_over_two_weighted_pools_splits_connections_by_weight()
    {
        await using var a = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        await using var b = new TcpBackend("b", TcpBackend.StreamingEchoAsync);
        using var folder = new L4Folder();
        var port = FreePort.Next();
        folder.Write("pools.yaml", L4Folder.Pool("a", "TCP", a.Port) + L4Folder.Pool("b", "TCP", b.Port));
        folder.Write("policy.yaml", TcpPolicy(port, "[ { pool: a, weight: 3 }, { pool: b, weight: 1 } ]"));
        var (ingress, source) = await StartAsync(folder);
        await using var _ = ingress;
        await using var __ = source;

        for (var i = 0; i < 8; i++)
        {
            using var client = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            Assert.Equal("x" + i, await EchoAsync(client, "x" + i));
        }
        Assert.Equal((6, 2), (a.Accepted, b.Accepted));
    }

    [Fact]
    public async Task Tls_passthrough_routes_by_sni_to_backends_that_present_their_own_certificates()
    {
        await using var alpha = new TlsBackend("alpha", "alpha.example.com");
        await using var beta = new TlsBackend("beta", "beta.example.com");
        using var folder = new L4Folder();
        var port = FreePort.Next();
        folder.Write("pools.yaml", L4Folder.Pool("alpha", "TCP", alpha.Port) + L4Folder.Pool("beta", "TCP", beta.Port));
        folder.Write("policy.yaml", $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: tls }
            spec:
              listeners:
                - { name: tls, port: {{port}}, protocol: TLS, address: 127.0.0.1, tls: { mode: Passthrough } }
              tcpRoutes:
                - { listener: tls, hostnames: [ alpha.example.com ], backends: [ { pool: alpha } ] }
                - { listener: tls, hostnames: [ "*.beta.example.com", beta.example.com ], backends: [ { pool: beta } ] }
            """);
        var (ingress, source) = await StartAsync(folder);
        await using var _ = ingress;
        await using var __ = source;

        async Task<(string Line, string Thumbprint)> AskAsync(string host)
        {
            using var socket = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            X509Certificate2? seen = null;
            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, cert, _, _) => { seen = new X509Certificate2(cert!); return true; },
            });
            await ssl.WriteAsync(Encoding.ASCII.GetBytes("ping\n"));
            using var reader = new StreamReader(ssl, Encoding.ASCII);
            return ((await reader.ReadLineAsync())!, seen!.Thumbprint);
        }

        Assert.Equal(("alpha:ping", alpha.Certificate.Thumbprint), await AskAsync("alpha.example.com"));
        Assert.Equal(("beta:ping", beta.Certificate.Thumbprint), await AskAsync("beta.example.com"));
        Assert.Equal(("beta:ping", beta.Certificate.Thumbprint), await AskAsync("api.beta.example.com"));
        Assert.Equal((1, 2), (alpha.Accepted, beta.Accepted));
    }

    [Fact]
    public async Task Udp_datagrams_reach_a_pool_through_the_data_plane_and_replies_come_back()
    {
        using var one = new UdpEchoBackend("one");
        using var two = new UdpEchoBackend("two");
        using var folder = new L4Folder();
        var port = L4Folder.FreeUdpPort();
        folder.Write("pools.yaml", L4Folder.Pool("dns", "UDP", one.Port, two.Port));
        folder.Write("policy.yaml", $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: udp }
            spec:
              listeners:
                - { name: dns, port: {{port}}, protocol: UDP, address: 127.0.0.1 }
              tcpRoutes:
                - { listener: dns, backends: [ { pool: dns } ] }
            """);
        var (ingress, source) = await StartAsync(folder);
        await using var _ = ingress;
        await using var __ = source;

        var answers = new List<string>();
        for (var client = 0; client < 4; client++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"c{client}:hi"), SocketFlags.None);
            var buffer = new byte[256];
            using var timeout = new CancellationTokenSource(5000);
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            answers.Add(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.Equal(["one|c0:hi", "two|c1:hi", "one|c2:hi", "two|c3:hi"], answers);
        Assert.Contains("ballast_l4_udp_datagrams_total{pool=\"default/dns\"", await ingress.MetricsAsync());
    }
}
