using System.Collections.Concurrent;
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
/// stopped at the same instant. Bare YARP answered ~120 of those requests with 502; the default replay of
/// attempts that never connected or broke before any response byte (to every other endpoint, outside the
/// budget) must leave no failed request and no failed WebSocket open. The WebSockets the stopped origin held end
/// with it (expected); each reopens through the proxy, so every rollout is also a burst of 200 opens.
/// Before it is stopped, each old origin stops answering and holds what it takes (every load worker's request and
/// every opening WebSocket of a few clients that open and close continuously), then drops them without a response
/// byte as it stops: the requests a stopping backend had taken, which only a replay elsewhere saves. The test paces
/// itself by what it observes (each origin holds all 200 WebSockets and has served requests, then holds every
/// worker's request, before it is replaced), never by the clock, so a loaded machine only makes it slower.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RolloutEndToEndTests(ITestOutputHelper output)
{
    private const int RequestsPerSecond = 500;
    private const int Workers = 25;
    private const int WebSockets = 200;
    private const int Rollouts = 3;
    /// <summary>Clients that open a WebSocket, close it and open another, ten times a second each.</summary>
    private const int Churners = 10;
    /// <summary>Plain requests an origin serves before it is replaced: the load runs on each origin.</summary>
    private const int RequestsPerOrigin = 300;
    /// <summary>Only reached when something is broken (a WebSocket that never reopens); a loaded machine takes seconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_rollouts_under_500_requests_per_second_and_200_websockets_fail_no_request_and_no_websocket_open_with_the_default_config()
    {
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var origin = await Origin.StartAsync("v0");
        var origins = new ConcurrentDictionary<string, Origin> { [origin.Name] = origin }; // read by the WebSocket clients
        var stops = new List<Task>();
        await ingress.ApplyAsync(Compile(port, origin));
        var client = ingress.Client(port);

        using var done = new CancellationTokenSource();
        var ok = 0;
        var requestFailures = new ConcurrentQueue<string>();
        var sockets = new WebSocketClients(port, origins, done.Token);
        var holders = Enumerable.Range(0, WebSockets).Select(_ => sockets.HoldAsync())
            .Concat(Enumerable.Range(0, Churners).Select(_ => sockets.ChurnAsync())).ToList();
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
                    else requestFailures.Enqueue($"{(int)response.StatusCode} {body.Trim()}");
                }
                catch (HttpRequestException e)
                {
                    requestFailures.Enqueue(e.Message);
                }

                try { await timer.WaitForNextTickAsync(done.Token); } catch (OperationCanceledException) { }
            }
        })).ToList();

        for (var i = 1; i <= Rollouts; i++)
        {
            await LoadedAsync(origin);
            var next = await Origin.StartAsync("v" + i);
            origins[next.Name] = next;
            var old = origin;
            old.Holding = true;
            await Eventually.True(() => old.HeldRequests == Workers && old.HeldOpens == Churners,
                $"origin {old.Name} to hold every worker's request (holds {old.HeldRequests} of {Workers}) and every churner's open (holds {old.HeldOpens} of {Churners})",
                Patience);
            // The rewrite and the old origin's stop start in the same instant (the data plane switches inside the
            // call, before it awaits anything): the requests and opens it holds are dropped, and any still bound to it
            // meet a refused or reset connection. (Stopping it before the rewrite exists would leave them nowhere to go.)
            old.Stopping = true;
            var applying = ingress.ApplyAsync(Compile(port, next));
            stops.Add(old.Backend.DisposeAsync().AsTask());
            await applying;
            origin = next;
        }

        await LoadedAsync(origin); // and the last one takes the whole load too
        done.Cancel();
        await Task.WhenAll(load);
        await Task.WhenAll(holders);
        await Task.WhenAll(stops);
        await origin.Backend.DisposeAsync();

        var counted = await ingress.MetricsAsync();
        var retried = (PrometheusText.Value(counted, "ballast_retries_total{route=\"default/shop/all\"}") ?? 0) + (PrometheusText.Value(counted, "ballast_replays_total{route=\"default/shop/all\"}") ?? 0);
        var dropped = origins.Values.Sum(o => o.HeldRequests + o.HeldOpens);
        output.WriteLine($"{ok} requests ok, {requestFailures.Count} failed; {sockets.Opened} WebSocket opens held ({sockets.Opened - WebSockets} reopens) " +
                         $"and {sockets.Churned} opened and closed, {sockets.OpenFailures.Count} opens failed, {sockets.Ended} ended with their stopped origin, " +
                         $"{sockets.Dropped.Count} dropped otherwise; {dropped} requests and opens dropped by stopping origins; {retried} retried or replayed");
        foreach (var kind in requestFailures.Concat(sockets.OpenFailures).Concat(sockets.Dropped).GroupBy(f => f))
            output.WriteLine($"  {kind.Count()} × {kind.Key}");

        Assert.True(requestFailures.IsEmpty, string.Join("\n", requestFailures.Take(20)));
        Assert.True(sockets.OpenFailures.IsEmpty, string.Join("\n", sockets.OpenFailures.Take(20)));
        Assert.True(sockets.Dropped.IsEmpty, string.Join("\n", sockets.Dropped.Take(20)));
        // Every rollout moved all 200 WebSockets (each origin held them all before it was replaced, see LoadedAsync):
        // at least 600 reopens went through the proxy, none failed.
        Assert.InRange(sockets.Opened, WebSockets * (Rollouts + 1), int.MaxValue);
        // Each dropped request and open reached the client as a success: it was sent again, to the new origin.
        Assert.Equal(Rollouts * (Workers + Churners), dropped);
        Assert.InRange(retried, dropped, double.MaxValue);
    }

    /// <summary>Waits until the origin holds every WebSocket and has served its share of plain requests.</summary>
    private static Task LoadedAsync(Origin origin) => Eventually.True(
        () => origin.WebSocketsHeld == WebSockets && origin.PlainRequests >= RequestsPerOrigin,
        $"origin {origin.Name} to hold {WebSockets} WebSockets (holds {origin.WebSocketsHeld}) and serve {RequestsPerOrigin} requests (served {origin.PlainRequests})",
        Patience);

    /// <summary>The configuration a user writes first: a static endpoint, a route, nothing about retries or health.</summary>
    private static Snapshot Compile(int port, Origin origin) => Snapshots.FromYaml($$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: web, namespace: default }
            spec:
              endpoints: [ { address: "127.0.0.1:{{origin.Backend.Port}}" } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop, namespace: default }
            spec:
              listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
              routes: [ { name: all, backends: [ { pool: web } ] } ]
            """);

    /// <summary>
    /// An origin that answers requests with its name and holds WebSockets (echoing) until it is stopped, when it ends
    /// them. Its name is also in every response's <c>X-Backend</c>, the 101 included. Once <see cref="Holding"/>, it
    /// answers nothing new: it keeps each request and WebSocket open it takes until it stops, then drops it (the
    /// connection is aborted, no response byte sent). Counts what it served and holds.
    /// </summary>
    private sealed class Origin
    {
        private int _plain;
        private int _held;
        private int _heldRequests;
        private int _heldOpens;
        private volatile bool _holding;

        private Origin(string name) => Name = name;

        public string Name { get; }
        public TestBackend Backend { get; private set; } = null!;
        public int PlainRequests => Volatile.Read(ref _plain);
        public int WebSocketsHeld => Volatile.Read(ref _held);
        /// <summary>Plain requests and WebSocket opens taken while <see cref="Holding"/> (dropped when it stops).</summary>
        public int HeldRequests => Volatile.Read(ref _heldRequests);
        public int HeldOpens => Volatile.Read(ref _heldOpens);
        public bool Holding { get => _holding; set => _holding = value; }
        private volatile bool _stopping;
        /// <summary>Set just before the origin is stopped: its WebSockets may end from then on.</summary>
        public bool Stopping { get => _stopping; set => _stopping = value; }

        public static async Task<Origin> StartAsync(string name)
        {
            var origin = new Origin(name);
            origin.Backend = await TestBackend.StartAsync(name, configure: app =>
            {
                app.UseWebSockets();
                app.Run(origin.ServeAsync);
            });
            return origin;
        }

        private async Task ServeAsync(HttpContext ctx)
        {
            var stopping = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            if (Holding)
            {
                Interlocked.Increment(ref ctx.WebSockets.IsWebSocketRequest ? ref _heldOpens : ref _heldRequests);
                var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (stopping.Register(() => stopped.SetResult())) await stopped.Task;
                ctx.Abort(); // dropped: the connection ends without a response byte
                return;
            }

            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                Interlocked.Increment(ref _plain);
                await ctx.Response.WriteAsync(Name);
                return;
            }

            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var held = ctx.Request.Path == "/ws/hold";
            if (held) Interlocked.Increment(ref _held);
            try
            {
                var buffer = new byte[64];
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, stopping);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stopping);
                        break;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, stopping);
                }
            }
            catch (OperationCanceledException)
            {
                // The origin is stopping: its WebSockets end with it (these are the excepted ones).
            }
            catch (WebSocketException)
            {
                // The client went away (the test ended).
            }
            finally
            {
                if (held) Interlocked.Decrement(ref _held);
            }
        }
    }

    /// <summary>
    /// Clients that keep one WebSocket each open through the proxy and reopen it when it ends. An open that fails
    /// is a failure; a WebSocket that ends is expected only when the origin it reached (named in the 101's
    /// <c>X-Backend</c>) is being stopped.
    /// </summary>
    private sealed class WebSocketClients(int port, ConcurrentDictionary<string, Origin> origins, CancellationToken done)
    {
        private int _opened;
        private int _ended;
        private int _churned;

        public int Opened => Volatile.Read(ref _opened);
        public int Churned => Volatile.Read(ref _churned);
        public int Ended => Volatile.Read(ref _ended);
        public ConcurrentQueue<string> OpenFailures { get; } = new();
        public ConcurrentQueue<string> Dropped { get; } = new();

        public async Task HoldAsync()
        {
            var buffer = new byte[64];
            while (!done.IsCancellationRequested)
            {
                using var socket = new ClientWebSocket();
                socket.Options.CollectHttpResponseDetails = true;
                try
                {
                    await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/hold"), done);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (WebSocketException e)
                {
                    OpenFailures.Enqueue("websocket open: " + e.Message);
                    continue; // a client tries again; the failure is counted
                }

                Interlocked.Increment(ref _opened);
                var name = socket.HttpResponseHeaders?.TryGetValue("X-Backend", out var values) == true ? string.Join(",", values) : "?";
                try
                {
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
                    // Broken rather than closed: as expected as a close when its origin is stopping.
                }

                if (done.IsCancellationRequested) return;
                Interlocked.Increment(ref _ended);
                if (!origins.TryGetValue(name, out var origin) || !origin.Stopping) Dropped.Enqueue($"websocket on {name} ended while its origin was serving");
            }
        }

        /// <summary>Opens a WebSocket, closes it, and again, ten times a second: opens are under way at any moment.</summary>
        public async Task ChurnAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!done.IsCancellationRequested)
            {
                using (var socket = new ClientWebSocket())
                {
                    var opened = false;
                    try
                    {
                        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/churn"), done);
                        opened = true;
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    catch (WebSocketException e)
                    {
                        OpenFailures.Enqueue("websocket open: " + e.Message);
                    }

                    if (opened)
                    {
                        Interlocked.Increment(ref _churned);
                        try
                        {
                            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, done);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                        catch (WebSocketException)
                        {
                            // Opened, then its origin stopped while it closed: expected.
                        }
                    }
                }

                try { await timer.WaitForNextTickAsync(done); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
