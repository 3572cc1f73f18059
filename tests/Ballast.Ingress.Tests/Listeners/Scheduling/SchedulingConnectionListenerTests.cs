using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Ingress.Listeners.Scheduling;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Listeners.Scheduling;

[Trait("Category", "Integration")]
public sealed class SchedulingConnectionListenerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private static SchedulingConnectionListener Bind(ConnectionSchedulingMode mode, TimeProvider? time = null, int port = 0) =>
        SchedulingConnectionListener.Bind(new IPEndPoint(IPAddress.Loopback, port), new SocketTransportOptions(), mode, Wait,
            time ?? TimeProvider.System, NullLogger.Instance);

    private static async Task<Socket> ConnectAsync(IConnectionListener listener, string? send = null)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.EndPoint);
        if (send is not null) await client.SendAsync(Encoding.ASCII.GetBytes(send));
        return client;
    }

    /// <summary>The next connection; a listener that wrongly holds one back fails here instead of hanging the run.</summary>
    private static async Task<ConnectionContext> NextAsync(IConnectionListener listener) =>
        (await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))!;

    private static ConnectionScheduling SchedulingOf(ConnectionContext connection) =>
        connection.Features.Get<IConnectionSchedulingFeature>()!.Scheduling;

    private static async Task<string> ReadAsync(ConnectionContext connection, int length)
    {
        while (true)
        {
            var result = await connection.Transport.Input.ReadAsync();
            if (result.Buffer.Length >= length || result.IsCompleted)
                return Encoding.ASCII.GetString(result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)));
            connection.Transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    [Fact]
    public async Task Per_connection_an_h2c_client_runs_on_the_thread_pool_an_http11_client_inline_and_no_byte_is_consumed()
    {
        await using var listener = Bind(ConnectionSchedulingMode.PerConnection);
        using var h2 = await ConnectAsync(listener, Preface);
        await using var first = await NextAsync(listener);
        using var h1 = await ConnectAsync(listener, "GET / HTTP/1.1\r\n");
        await using var second = await NextAsync(listener);

        Assert.Equal(ConnectionScheduling.ThreadPool, SchedulingOf(first));
        Assert.Equal(ConnectionScheduling.Inline, SchedulingOf(second));
        Assert.Equal(Preface, await ReadAsync(first, Preface.Length));
        Assert.Equal("GET / HTTP/1.1\r\n", await ReadAsync(second, 16));
    }

    [Fact]
    public async Task A_silent_client_holds_up_nobody_and_is_handed_over_inline_once_the_wait_is_over()
    {
        var time = new FakeTimeProvider();
        await using var listener = Bind(ConnectionSchedulingMode.PerConnection, time);
        using var silent = await ConnectAsync(listener);
        using var h2 = await ConnectAsync(listener, Preface);

        // Accepted second, handed over first: the silent one waits for its first bytes without blocking the accept loop.
        await using var talking = await NextAsync(listener);
        Assert.Equal(ConnectionScheduling.ThreadPool, SchedulingOf(talking));
        var next = listener.AcceptAsync();
        Assert.False(next.IsCompleted);

        time.Advance(Wait);
        await using var handed = (await next.AsTask().WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(ConnectionScheduling.Inline, SchedulingOf(handed));
        Assert.Equal(silent.LocalEndPoint, handed.RemoteEndPoint);
    }

    [Theory]
    [InlineData(ConnectionSchedulingMode.Inline, ConnectionScheduling.Inline)]
    [InlineData(ConnectionSchedulingMode.ThreadPool, ConnectionScheduling.ThreadPool)]
    public async Task A_fixed_mode_hands_every_connection_over_at_once_with_its_scheduling(ConnectionSchedulingMode mode, ConnectionScheduling expected)
    {
        await using var listener = Bind(mode, new FakeTimeProvider()); // time never moves: nothing may wait for it
        using var silent = await ConnectAsync(listener);
        await using var accepted = await NextAsync(listener);
        Assert.Equal(expected, SchedulingOf(accepted));
        using var h2 = await ConnectAsync(listener, Preface);
        await using var other = await NextAsync(listener);
        Assert.Equal(expected, SchedulingOf(other));
    }

    [Fact]
    public async Task A_port_in_use_is_refused_as_kestrels_transport_refuses_it()
    {
        await using var first = Bind(ConnectionSchedulingMode.PerConnection);
        var port = ((IPEndPoint)first.EndPoint).Port;
        Assert.Throws<AddressInUseException>(() => Bind(ConnectionSchedulingMode.PerConnection, port: port));
    }

    [Fact]
    public async Task Unbinding_ends_accepting_and_closes_a_client_still_silent()
    {
        var listener = Bind(ConnectionSchedulingMode.PerConnection, new FakeTimeProvider());
        using var silent = await ConnectAsync(listener);
        var accept = listener.AcceptAsync();

        await listener.UnbindAsync();
        Assert.Null(await accept);
        Assert.Equal(0, await silent.ReceiveAsync(new byte[1])); // closed by us, not left to hang
        await listener.DisposeAsync();
    }
}
