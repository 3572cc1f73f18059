using System.Net;
using System.Text;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.L4.Wiring;

/// <summary>What a reload does to open L4 connections: limits that persist per pool, and draining removed endpoints.</summary>
[Trait("Category", "Integration")]
public sealed class L4ReloadTests
{
    private static Snapshot Tcp(long version, int port, PoolSnapshot pool, int? listenerMax = null) => new()
    {
        Version = version,
        ContentHash = "v" + version,
        Listeners = [new ListenerSnapshot
        {
            Name = "tcp",
            Address = "127.0.0.1",
            Port = port,
            Kind = ListenerKind.Tcp,
            MaxConnections = listenerMax,
            L4Routes = [new L4RouteSnapshot { Id = "default/tcp/0", Backends = [new BackendSnapshot(pool.Id, 1)] }],
        }],
        Pools = [pool],
    };

    private static PoolSnapshot Pool(TimeSpan drain, int? maxConnections, params TcpBackend[] backends) => new()
    {
        Id = "default/db",
        Protocol = PoolProtocol.TCP,
        DrainTimeout = drain,
        CircuitBreaker = maxConnections is null ? null : new CircuitBreakerSnapshot { MaxConnections = maxConnections },
        Endpoints = [.. backends.Select(b => new EndpointSnapshot { Host = "127.0.0.1", Port = b.Port })],
    };

    private static async Task<string> EchoAsync(System.Net.Sockets.Socket socket, string text)
    {
        await SocketIo.SendAllAsync(socket, Encoding.ASCII.GetBytes(text));
        return Encoding.ASCII.GetString(await SocketIo.ReadExactlyAsync(socket, text.Length));
    }

    [Fact]
    public async Task A_removed_endpoint_keeps_its_open_connection_until_the_pools_drain_timeout_then_it_is_closed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        await using var b = new TcpBackend("b", TcpBackend.StreamingEchoAsync);
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Time = clock });
        var port = FreePort.Next();
        var drain = TimeSpan.FromSeconds(30);
        await ingress.ApplyAsync(Tcp(1, port, Pool(drain, null, a)));
        var proxy = new IPEndPoint(IPAddress.Loopback, port);

        using var open = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("one", await EchoAsync(open, "one"));
        Assert.Equal(1, a.Accepted);

        await ingress.ApplyAsync(Tcp(2, port, Pool(drain, null, b))); // a leaves the pool
        using var next = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("to b", await EchoAsync(next, "to b"));
        Assert.Equal((1, 1), (a.Accepted, b.Accepted));

        clock.Advance(drain - TimeSpan.FromSeconds(1));
        Assert.Equal("still", await EchoAsync(open, "still")); // draining, not dropped
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await SocketIo.IsClosedByPeerAsync(open), "closed at the drain deadline");
        Assert.Equal("b stays", await EchoAsync(next, "b stays")); // the endpoint still in the pool is untouched
    }

    [Fact]
    public async Task The_pool_connection_cap_holds_across_a_reload_and_the_listener_cap_refuses_the_excess()
    {
        await using var a = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var proxy = new IPEndPoint(IPAddress.Loopback, port);
        await ingress.ApplyAsync(Tcp(1, port, Pool(TimeSpan.FromSeconds(30), maxConnections: 1, a)));

        using var first = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("1", await EchoAsync(first, "1"));
        // A reload that keeps the pool (and its maximum) keeps its count: the open connection still holds the only slot.
        await ingress.ApplyAsync(Tcp(2, port, Pool(TimeSpan.FromSeconds(29), maxConnections: 1, a)));
        using var second = await SocketIo.ConnectAsync(proxy);
        Assert.True(await SocketIo.IsClosedByPeerAsync(second), "the pool cap refuses a second connection");
        Assert.Equal("1 again", await EchoAsync(first, "1 again"));

        // The listener cap (ListenerSnapshot.MaxConnections) rebinds the listener with its own limit.
        await ingress.ApplyAsync(Tcp(3, port, Pool(TimeSpan.FromSeconds(30), maxConnections: null, a), listenerMax: 2));
        using var x = await SocketIo.ConnectAsync(proxy);
        using var y = await SocketIo.ConnectAsync(proxy);
        Assert.Equal("x", await EchoAsync(x, "x"));
        Assert.Equal("y", await EchoAsync(y, "y"));
        using var z = await SocketIo.ConnectAsync(proxy);
        Assert.True(await SocketIo.IsClosedByPeerAsync(z), "the listener cap refuses a third connection");
        Assert.Contains("result=\"refused\"", await ingress.MetricsAsync());
    }
}
