using System.Net;
using System.Net.WebSockets;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>
/// Issue 18's rollout measurement with the configuration users write first (no retries, no health settings):
/// 500 requests/s and 200 WebSockets while the pool is rewritten to a new origin three times, the old origin
/// stopped at the same instant. Bare YARP answered ~120 of those requests with 502; the default retry of
/// connect failures and resets (to the new endpoint) must leave none.
/// </summary>
public sealed class RolloutEndToEndTests(ITestOutputHelper output)
{
    private const int RequestsPerSecond = 500;
    private const int Workers = 25;
    private const int WebSockets = 200;
    private const int Rollouts = 3;
    private static readonly TimeSpan BetweenRollouts = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task Three_rollouts_under_500_requests_per_second_and_200_websockets_fail_no_request_with_the_default_config()
    {
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var origin = await OriginAsync("v0");
        var origins = new List<TestBackend> { origin };
        var stops = new List<Task>();
        await ingress.ApplyAsync(Compile(port, origin));
        var client = ingress.Client(port);

        using var done = new CancellationTokenSource();
        var ok = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var sockets = Enumerable.Range(0, WebSockets).Select(_ => HoldWebSocketAsync(port, failures, done.Token)).ToList();
        var interval = TimeSpan.FromSeconds((double)Workers / RequestsPerSecond);
        var load = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            while (!done.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/work");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else failures.Enqueue($"{(int)response.StatusCode} {body.Trim()}");
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue(e.Message);
                }

                try { await timer.WaitForNextTickAsync(done.Token); } catch (OperationCanceledException) { }
            }
        })).ToList();

        for (var i = 1; i <= Rollouts; i++)
        {
            await Task.Delay(BetweenRollouts); // load runs on each origin for a while: the measured scenario, not a synchronisation
            var next = await OriginAsync("v" + i);
            origins.Add(next);
            // The rewrite and the old origin's stop start in the same instant (the data plane switches inside the
            // call, before it awaits anything): requests already bound to the old origin meet a refused or closing
            // connection. (Stopping it before the rewrite exists would leave such a request nowhere to go.)
            var old = origin;
            var applying = ingress.ApplyAsync(Compile(port, next));
            stops.Add(old.DisposeAsync().AsTask());
            await applying;
            origin = next;
        }

        await Task.Delay(BetweenRollouts); // and on the last one
        done.Cancel();
        await Task.WhenAll(load);
        await Task.WhenAll(sockets);
        await Task.WhenAll(stops);
        var retried = PrometheusText.Value(await ingress.MetricsAsync(), "ballast_retries_total{route=\"default/shop/all\"}") ?? 0;
        var requestFailures = failures.Where(f => !f.StartsWith("websocket", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{ok} ok, {requestFailures.Count} requests failed, {failures.Count - requestFailures.Count} websocket opens failed, {retried} retried");
        foreach (var kind in failures.GroupBy(f => f)) output.WriteLine($"  {kind.Count()} × {kind.Key}");
        await origin.DisposeAsync();

        // Traffic ran through every rollout (each origin served some of it), however fast this machine was.
        Assert.All(origins, o => Assert.True(o.Requests > 0, $"origin {o.Name} served nothing"));
        // The measure: requests. WebSocket opens come as a burst (200 sockets reopening when their origin
        // stops); on a loaded machine some had picked the old origin before the switch. A connect failure's retry no
        // longer spends the budget, but a reset's does, and a retry can meet the next stopped origin when requests
        // take longer than the 700 ms between rollouts: those opens are written above, not asserted (docs/rollouts.md).
        Assert.True(requestFailures.Count == 0, string.Join("\n", requestFailures.Take(20)));
    }

    /// <summary>The configuration a user writes first: a static endpoint, a route, nothing about retries or health.</summary>
    private static Snapshot Compile(int port, TestBackend origin) => Snapshots.FromYaml($$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: web, namespace: default }
            spec:
              endpoints: [ { address: "127.0.0.1:{{origin.Port}}" } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop, namespace: default }
            spec:
              listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
              routes: [ { name: all, backends: [ { pool: web } ] } ]
            """);

    /// <summary>An origin that answers requests and echoes WebSockets until it is stopped (then it closes them).</summary>
    private static Task<TestBackend> OriginAsync(string name) => TestBackend.StartAsync(name, configure: app =>
    {
        app.UseWebSockets();
        app.Run(async ctx =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                await ctx.Response.WriteAsync(name);
                return;
            }

            var stopping = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, stopping);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, stopping);
                }
            }
            catch (OperationCanceledException)
            {
                // The origin is stopping: its WebSockets end with it (these are the excepted ones).
            }
        });
    });

    /// <summary>
    /// Keeps one WebSocket open through the proxy, reopening it when its origin goes away. A WebSocket that
    /// breaks is expected (its origin stopped); failing to open one through the proxy is a failure.
    /// </summary>
    private static async Task HoldWebSocketAsync(int port, System.Collections.Concurrent.ConcurrentQueue<string> failures, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), done);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (WebSocketException e)
            {
                failures.Enqueue("websocket open: " + e.Message);
                return;
            }

            try
            {
                var buffer = new byte[64];
                var result = await socket.ReceiveAsync(buffer, done); // held open until its origin stops or the test ends
                if (result.MessageType == WebSocketMessageType.Close && !done.IsCancellationRequested)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (WebSocketException)
            {
                // Held by the stopped origin: excepted, as in the measurement. Open a new one.
            }
        }
    }
}
