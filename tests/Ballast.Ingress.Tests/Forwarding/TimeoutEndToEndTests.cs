using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>A route's whole-request timeout (504) and idle timeout (504 after silence, none while data flows).</summary>
[Trait("Category", "Integration")]
public sealed class TimeoutEndToEndTests
{
    /// <summary>/silent never answers (until the proxy gives up); /trickle sends one byte every 100 ms, fifteen times.</summary>
    private static Task<TestBackend> SlowAsync() => TestBackend.StartAsync("slow", async ctx =>
    {
        if (ctx.Request.Path == "/trickle")
        {
            await ctx.Response.StartAsync();
            for (var i = 0; i < 15; i++)
            {
                await Task.Delay(100, ctx.RequestAborted); // the trickle itself: silence shorter than the idle timeout
                await ctx.Response.Body.WriteAsync("x"u8.ToArray());
                await ctx.Response.Body.FlushAsync();
            }
            return;
        }
        try { await Task.Delay(Timeout.Infinite, ctx.RequestAborted); } // a backend that never answers
        catch (OperationCanceledException) { }
    });

    [Fact]
    public async Task A_request_past_the_route_timeout_gets_504_at_once_and_is_counted()
    {
        await using var backend = await SlowAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        // The idle timeout is far away: only the whole-request deadline can end this request.
        var route = Route("r", ("p", 1)) with { Timeout = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromMinutes(5) };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));

        var watch = Stopwatch.StartNew();
        using var response = await ingress.Client(port).GetAsync("/silent");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_request_timeouts_total{route=\"r\"}"));
    }

    [Fact]
    public async Task The_idle_timeout_ends_a_silent_backend_with_504_but_not_one_that_keeps_sending()
    {
        await using var backend = await SlowAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        // 1 s of silence ends a request; the trickle (1.5 s in all, a byte every 100 ms) is never silent that long,
        // even on a loaded machine.
        var route = Route("r", ("p", 1)) with { IdleTimeout = TimeSpan.FromSeconds(1) };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));
        var client = ingress.Client(port);

        var silentTask = client.GetAsync("/silent");
        var trickleTask = client.GetAsync("/trickle");
        using var silent = await silentTask;
        using var trickle = await trickleTask;

        Assert.Equal(HttpStatusCode.GatewayTimeout, silent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, trickle.StatusCode);
        Assert.Equal(new string('x', 15), await trickle.Content.ReadAsStringAsync());
        Assert.Null(PrometheusText.Value(await ingress.MetricsAsync(), "ballast_request_timeouts_total{route=\"r\"}"));
    }

    [Fact]
    public async Task A_WebSocket_outlives_the_route_timeout_while_it_stays_active()
    {
        await using var backend = await WebSocketEcho.StartAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var route = Route("r", ("p", 1)) with { Timeout = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromSeconds(5) };
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));

        using var client = new ClientWebSocket();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), limit.Token);
        var session = Stopwatch.StartNew();
        var echoed = 0;
        // Keep talking for three times the route timeout: the session must not be cut.
        while (session.Elapsed < TimeSpan.FromMilliseconds(600))
        {
            await client.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, limit.Token);
            var result = await client.ReceiveAsync(new byte[64], limit.Token);
            Assert.Equal(4, result.Count);
            echoed++;
            await Task.Delay(50, limit.Token); // the client's pace, not a synchronisation
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", limit.Token);

        Assert.True(echoed >= 3, $"{echoed} echoes");
        Assert.Equal(0, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_request_timeouts_total{route=\"r\"}") ?? 0);
    }
}
