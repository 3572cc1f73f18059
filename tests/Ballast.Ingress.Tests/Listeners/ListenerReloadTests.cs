using System.Net.Sockets;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Listeners;

[Trait("Category", "Integration")]
public sealed class ListenerReloadTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    [Fact]
    public async Task Listeners_come_and_go_with_the_snapshot_without_touching_the_others_connections()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var (portA, portB) = (FreePort.Next(), FreePort.Next());
        var pool = Pool("p", backend);
        await ingress.ApplyAsync(Of(1, [Listener(portA, Route("r", ("p", 1)))], pool));
        await using var connection = await RawHttp.ConnectAsync(portA);
        Assert.Equal((200, "a"), await connection.SendAsync(Get));

        // Add B: A's open connection keeps working, B answers.
        await ingress.ApplyAsync(Of(2, [Listener(portA, Route("r", ("p", 1))), Listener(portB, Route("r", ("p", 1)))], pool));
        Assert.Equal((200, "a"), await connection.SendAsync(Get));
        await using (var onB = await RawHttp.ConnectAsync(portB)) Assert.Equal((200, "a"), await onB.SendAsync(Get));

        // Remove B: B refuses connections, A's connection still serves.
        await ingress.ApplyAsync(Of(3, [Listener(portA, Route("r", ("p", 1)))], pool));
        await Assert.ThrowsAnyAsync<SocketException>(() => RawHttp.ConnectAsync(portB));
        Assert.Equal((200, "a"), await connection.SendAsync(Get));
        Assert.Equal(4, backend.Requests);
    }

    [Fact]
    public async Task A_malformed_request_is_rejected_and_never_reaches_a_backend()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));

        await using var bad = await RawHttp.ConnectAsync(port);
        var (status, _) = await bad.SendAsync("GET / HTTP/1.1\r\nHost: test\r\nBroken header line\r\n\r\n");
        await using var noHost = await RawHttp.ConnectAsync(port);
        var (noHostStatus, _) = await noHost.SendAsync("GET / HTTP/1.1\r\n\r\n");

        Assert.Equal(400, status);
        Assert.Equal(400, noHostStatus);
        Assert.Equal(0, backend.Requests);
    }
}
