using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>
/// The default configuration (no <c>retries</c>, no health settings) in front of a pool whose first two endpoints
/// are going away: one resets every connection once it has read the request (an origin that is stopping), one is a
/// closed port. A GET and a WebSocket upgrade are replayed past both and answered by the third endpoint on the
/// client's first try; a POST whose body was sent is not replayed; the closed port is ejected; a GET also passes two
/// resetting origins in a row.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReplayEndToEndTests
{
    [Fact]
    public async Task A_get_and_a_websocket_open_pass_two_failing_endpoints_and_a_sent_post_is_not_replayed()
    {
        await using var resetting = new TcpBackend("resetting", ResetAfterRequestAsync);
        await using var resettingToo = new TcpBackend("resetting too", ResetAfterRequestAsync);
        var closed = FreePort.Next(); // nothing listens
        await using var good = await TestBackend.StartAsync("good", AnswerOrEchoAsync, configure: app => app.UseWebSockets());
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        // One pool per request kind, each with the failing endpoints first (round robin starts there), so every
        // request below meets both on its first try.
        await ingress.ApplyAsync(Snapshots.FromYaml($$"""
            {{Pool("get", resetting.Port, closed, good.Port)}}
            ---
            {{Pool("ws", resetting.Port, closed, good.Port)}}
            ---
            {{Pool("post", resetting.Port, closed, good.Port)}}
            ---
            {{Pool("resets", resetting.Port, resettingToo.Port, good.Port)}}
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop, namespace: default }
            spec:
              listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
              routes:
                - { name: get, match: { pathPrefix: /get }, backends: [ { pool: get } ] }
                - { name: ws, match: { pathPrefix: /ws }, backends: [ { pool: ws } ] }
                - { name: post, match: { pathPrefix: /post }, backends: [ { pool: post } ] }
                - { name: resets, match: { pathPrefix: /resets }, backends: [ { pool: resets } ] }
            """));
        var client = ingress.Client(port);

        using (var response = await client.GetAsync("/get/1"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, resetting.Accepted); // it did take (and reset) the GET first

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/1"), CancellationToken.None);
            await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            var buffer = new byte[16];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        Assert.Equal(2, resetting.Accepted); // … and the upgrade

        using (var response = await client.PostAsync("/post/1", new StringContent(new string('x', 10_000))))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode); // its body reached the resetting origin
        }

        Assert.Equal(3, resetting.Accepted);
        Assert.DoesNotContain(good.Paths, p => p.StartsWith("/post", StringComparison.Ordinal)); // not replayed

        // Two origins in a row that reset (several stopping at once): neither reset spends the route's one attempt.
        using (var response = await client.GetAsync("/resets/1"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal((4, 1), (resetting.Accepted, resettingToo.Accepted));
        Assert.Equal(["/get/1", "/ws/1", "/resets/1"], good.Paths);

        // Passive health ejected the closed port of each pool that met it (the default: at its first refusal).
        var metrics = await ingress.MetricsAsync();
        foreach (var pool in new[] { "get", "ws" })
        {
            Assert.Equal(1, PrometheusText.Value(metrics, $"ballast_endpoint_state{{pool=\"default/{pool}\",endpoint=\"127.0.0.1:{closed}\",state=\"ejected\"}}"));
        }

        // Replays, counted apart: none of them is a retry.
        foreach (var route in new[] { "get", "ws", "resets" })
        {
            Assert.Equal(2, PrometheusText.Value(metrics, $"ballast_replays_total{{route=\"default/shop/{route}\"}}"));
            Assert.Equal(0, PrometheusText.Value(metrics, $"ballast_retries_total{{route=\"default/shop/{route}\"}}") ?? 0);
        }
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retry_budget_exhausted_total{route=\"default/shop/get\"}") ?? 0);
    }

    private static string Pool(string name, params int[] ports) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: {{name}}, namespace: default }
        spec:
          endpoints: [ {{string.Join(", ", ports.Select(p => $"{{ address: \"127.0.0.1:{p}\" }}"))}} ]
        """;

    private static async Task AnswerOrEchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await context.Response.WriteAsync("good");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close) break;
            await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
        }

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    /// <summary>
    /// An origin that is stopping: it reads the request head (and a first body byte when the request has a body, so
    /// the body has surely started to leave the proxy), then resets the connection without a byte of response.
    /// </summary>
    private static async Task ResetAfterRequestAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0) return;
            received.AddRange(buffer.AsSpan(0, n));
        }

        var head = Encoding.ASCII.GetString([.. received], 0, headEnd);
        var hasBody = head.Contains("\r\nContent-Length: ", StringComparison.OrdinalIgnoreCase) && !head.Contains("\r\nContent-Length: 0\r\n", StringComparison.OrdinalIgnoreCase)
                      || head.Contains("\r\nTransfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        while (hasBody && received.Count <= headEnd + 4)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0) return;
            received.AddRange(buffer.AsSpan(0, n));
        }

        socket.LingerState = new LingerOption(true, 0); // close = RST
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') return i - 3;
        }

        return -1;
    }
}
