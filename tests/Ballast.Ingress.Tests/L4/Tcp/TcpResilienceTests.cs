using System.Net.Sockets;
using Ballast.Ingress.L4;
using Ballast.Ingress.Tests.L4.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.L4.Tcp;

[Trait("Category", "Integration")]
public sealed class TcpResilienceTests
{
    /// <summary>Sends a line and reads the echo on a connection that stays open (streaming echo backend).</summary>
    private static async Task AssertEchoesAsync(Socket s, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await SocketIo.SendAllAsync(s, bytes);
        Assert.Equal(bytes, await SocketIo.ReadExactlyAsync(s, bytes.Length));
    }

    [Fact]
    public async Task A_killed_backend_gets_no_new_connections_and_its_connect_failures_are_retried_elsewhere_before_any_byte()
    {
        await using var a = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        await using var b = new TcpBackend("b", TcpBackend.StreamingEchoAsync);
        await using var c = new TcpBackend("c", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", a.Port, b.Port, c.Port);
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = ProxyFixture.StartTcp(source, metrics);

        var open = new List<Socket>();
        for (var i = 0; i < 6; i++)
        {
            var s = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
            await AssertEchoesAsync(s, "warm" + i);
            open.Add(s);
        }
        Assert.Equal([2, 2, 2], new[] { a.Accepted, b.Accepted, c.Accepted });

        b.Kill(); // the process dies: its port refuses and its two connections are reset
        var killed = source.Endpoints[1];
        await Eventually.True(() => killed.Load.InFlight == 0, "the killed backend's connections closed");

        // Connections on a and c are unharmed.
        for (var i = 0; i < open.Count; i++)
        {
            if (i % 3 == 1) continue;
            await AssertEchoesAsync(open[i], "still" + i);
        }
        // New connections all succeed: the first one that picks b is retried on another endpoint.
        for (var i = 0; i < 30; i++)
        {
            using var s = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
            await AssertEchoesAsync(s, "new" + i);
        }
        Assert.Equal(2, b.Accepted);
        Assert.Equal(2 + 2 + 30, a.Accepted + c.Accepted);
        Assert.True(metrics.For("shop/echo", killed).ConnectFailures.Value >= 1);
        Assert.Equal(0, metrics.For("tcp-test", "shop/echo").ConnectFailed.Value); // no client saw the failure
        foreach (var s in open) s.Dispose();
    }

    [Fact]
    public async Task The_listener_limit_refuses_the_excess_without_harming_accepted_connections()
    {
        await using var backend = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", backend.Port);
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = ProxyFixture.StartTcp(source, metrics, o => o with { MaxConnections = 5 });

        var accepted = new List<Socket>();
        for (var i = 0; i < 5; i++)
        {
            var s = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
            await AssertEchoesAsync(s, "in" + i);
            accepted.Add(s);
        }
        for (var i = 0; i < 3; i++)
        {
            using var excess = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
            Assert.True(await SocketIo.IsClosedByPeerAsync(excess));
        }
        Assert.Equal(3, metrics.For("tcp-test", "").Refused.Value);
        foreach (var s in accepted) await AssertEchoesAsync(s, "after");
        Assert.Equal(5, backend.Accepted);

        // A freed slot is usable again.
        accepted[0].Dispose();
        await Eventually.True(() => proxy.OpenConnections == 4, "slot released");
        using var again = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await AssertEchoesAsync(again, "again");
        foreach (var s in accepted) s.Dispose();
    }

    [Fact]
    public async Task The_pool_limit_is_shared_by_listeners_and_refuses_the_excess()
    {
        await using var backend = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", backend.Port) { Connections = new ConnectionLimit(2) };
        var metrics = ProxyFixture.NewMetrics();
        await using var one = ProxyFixture.StartTcp(source, metrics);
        await using var two = ProxyFixture.StartTcp(source, metrics, o => o with { Name = "tcp-two" });

        using var s1 = await SocketIo.ConnectAsync(one.LocalEndPoint);
        await AssertEchoesAsync(s1, "1");
        using var s2 = await SocketIo.ConnectAsync(two.LocalEndPoint);
        await AssertEchoesAsync(s2, "2");
        using var s3 = await SocketIo.ConnectAsync(two.LocalEndPoint);
        Assert.True(await SocketIo.IsClosedByPeerAsync(s3));
        Assert.Equal(1, metrics.For("tcp-two", "shop/echo").Refused.Value);
        await AssertEchoesAsync(s1, "1 still");
        await AssertEchoesAsync(s2, "2 still");
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_an_active_one_is_not()
    {
        await using var backend = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", backend.Port);
        var time = new FakeTimeProvider();
        await using var proxy = ProxyFixture.StartTcp(source, ProxyFixture.NewMetrics(),
            o => o with { TimeProvider = time, IdleTimeout = TimeSpan.FromSeconds(60) });

        using var idle = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await AssertEchoesAsync(idle, "x");
        using var busy = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await AssertEchoesAsync(busy, "x");
        time.Advance(TimeSpan.FromSeconds(40));
        await AssertEchoesAsync(busy, "y"); // activity at 40 s pushes busy's deadline to 100 s
        time.Advance(TimeSpan.FromSeconds(30)); // 70 s: idle has been silent for 70 s
        Assert.True(await SocketIo.IsClosedByPeerAsync(idle));
        await AssertEchoesAsync(busy, "z");
    }

    [Fact]
    public async Task A_drained_endpoint_keeps_its_open_connections_until_the_drain_timeout()
    {
        await using var backend = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", backend.Port);
        var time = new FakeTimeProvider();
        await using var proxy = ProxyFixture.StartTcp(source, ProxyFixture.NewMetrics(), o => o with { TimeProvider = time });
        using var s = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        await AssertEchoesAsync(s, "before");

        var endpoint = source.Endpoints[0];
        var drain = proxy.Options.Tracker.DrainAsync(endpoint, TimeSpan.FromSeconds(30), time);
        time.Advance(TimeSpan.FromSeconds(29));
        await AssertEchoesAsync(s, "during"); // still served while draining
        Assert.Equal(1, proxy.Options.Tracker.CountFor(endpoint));
        time.Advance(TimeSpan.FromSeconds(1));
        await drain;
        Assert.True(await SocketIo.IsClosedByPeerAsync(s));
        await Eventually.True(() => endpoint.Load.InFlight == 0, "endpoint load released");
    }

    [Fact]
    public async Task Stopping_refuses_new_connections_and_lets_open_ones_finish_within_the_drain_timeout()
    {
        await using var backend = new TcpBackend("a", TcpBackend.StreamingEchoAsync);
        var source = new RoundRobinSource("shop/echo", backend.Port);
        var proxy = ProxyFixture.StartTcp(source, ProxyFixture.NewMetrics());
        var address = proxy.LocalEndPoint;
        using var s = await SocketIo.ConnectAsync(address);
        await AssertEchoesAsync(s, "before");

        var stopping = proxy.StopAsync(TimeSpan.FromSeconds(30));
        await Eventually.True(() => !CanConnect(address), "listening socket closed");
        await AssertEchoesAsync(s, "during stop");
        Assert.False(stopping.IsCompleted);
        s.Shutdown(SocketShutdown.Send); // the client finishes: the stop completes without waiting for the deadline
        Assert.Empty(await SocketIo.ReadToEndAsync(s));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, proxy.OpenConnections);
        await proxy.DisposeAsync();
    }

    private static bool CanConnect(System.Net.IPEndPoint address)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try { probe.Connect(address); return true; }
        catch (SocketException) { return false; }
    }
}
