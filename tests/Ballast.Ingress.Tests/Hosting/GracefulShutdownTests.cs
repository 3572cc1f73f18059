using System.Net;
using System.Net.WebSockets;
using Ballast.Ingress.Http;
using Ballast.Ingress.Listeners;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary>
/// A replica's own shutdown, in process: not ready at once, serving as usual through the grace period, then
/// keep-alive connections closed after their current response and in-flight work given until the deadline.
/// The grace period is ended by the test (the "second signal"), so nothing here waits on a clock.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Not_ready_at_once_serving_through_the_grace_period_then_the_in_flight_response_says_connection_close()
    {
        var held = new HeldRequests("/hold", "held");
        await using var backend = await TestBackend.StartAsync("b", held.Handle);
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));
        await using var connection = await RawHttp.ConnectAsync(port);
        Assert.Equal(200, (await connection.SendAsync(Get("/before"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await ingress.Admin.GetAsync("/readyz")).StatusCode);

        using var endGrace = new CancellationTokenSource();
        var shutdown = ingress.Host.ShutdownAsync(grace: TimeSpan.FromMinutes(5), timeout: TimeSpan.FromSeconds(30), endGrace.Token);

        using var readiness = await ingress.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Equal("not ready: shutting down\n", await readiness.Content.ReadAsStringAsync());
        // The grace period: the same keep-alive connection is served as before, and stays open.
        Assert.Equal((200, "held"), await connection.SendAsync(Get("/during-grace")));
        Assert.DoesNotContain("Connection: close", connection.LastHead, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ShutdownPhase.Draining, ingress.Host.Shutdown.Phase);

        await connection.WriteAsync(Get("/hold"));
        await Eventually.True(() => held.Held == 1, "the backend holds the request");
        endGrace.Cancel();
        await Eventually.True(() => ingress.Host.Shutdown.Phase == ShutdownPhase.Closing, "the shutdown phase Closing");
        held.Release();

        Assert.Equal((200, "held"), await connection.ReadResponseAsync());
        Assert.Contains("Connection: close", connection.LastHead, StringComparison.OrdinalIgnoreCase);
        Assert.True(await connection.ClosedByServerAsync(), "the connection must be closed after the response that said so");
        await shutdown.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<Exception>(async () => { await using var refused = await RawHttp.ConnectAsync(port); });
    }

    [Fact]
    public async Task A_websocket_still_open_at_the_deadline_is_aborted_and_shutdown_returns()
    {
        await using var echo = await WebSocketEcho.StartAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", echo)));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), CancellationToken.None);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[16];
        Assert.Equal(4, (await socket.ReceiveAsync(buffer, CancellationToken.None)).Count);

        // No grace, a short deadline: the WebSocket keeps the replica up until the deadline, then it is cut.
        var shutdown = ingress.Host.ShutdownAsync(grace: TimeSpan.Zero, timeout: TimeSpan.FromMilliseconds(300));
        await shutdown.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<WebSocketException>(async () =>
        {
            await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.ReceiveAsync(buffer, CancellationToken.None);
        });
    }

    private static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: shop.example\r\n\r\n";
}
