using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Xunit.Abstractions;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>
/// <c>retries.totalTimeout</c> through the proxy: a pool of ten endpoints that never complete a connect (each waits
/// out the pool's 200 ms connect timeout, then is replayed to the next) costs a request the whole pool, 2 s, without
/// the bound; with a 300 ms bound no replay starts after 300 ms and the request ends with the last attempt's answer.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TotalTimeoutEndToEndTests(ITestOutputHelper output)
{
    private const int Endpoints = 10;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Replays_to_unreachable_endpoints_stop_at_the_routes_total_timeout()
    {
        using var blackholes = await Blackholes.OpenAsync(Endpoints);
        await using var ingress = await IngressFixture.StartAsync();
        int unboundedPort = FreePort.Next(), boundedPort = FreePort.Next();
        // The same pool twice (each keeps its own health), one route each: without the bound (0s) and with 300 ms.
        await ingress.ApplyAsync(Of(1,
            [
                Listener(unboundedPort, Route("unbounded", ("unbounded", 1)) with { Retries = RetrySnapshot.Default with { TotalTimeout = TimeSpan.Zero } }),
                Listener(boundedPort, Route("bounded", ("bounded", 1)) with { Retries = RetrySnapshot.Default with { TotalTimeout = TimeSpan.FromMilliseconds(300) } }),
            ],
            Unreachable("unbounded", blackholes.Ports), Unreachable("bounded", blackholes.Ports)));

        // Without the bound (0s), first (it also warms the proxy up): every endpoint's connect timeout in a row.
        var watch = Stopwatch.StartNew();
        using (var response = await ingress.Client(unboundedPort).GetAsync("/1"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        }

        var unbounded = watch.Elapsed;
        Assert.True(unbounded >= ConnectTimeout * Endpoints, $"took {unbounded.TotalMilliseconds:0} ms");

        watch.Restart();
        using (var response = await ingress.Client(boundedPort).GetAsync("/1"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode); // the last attempt's answer
        }

        var bounded = watch.Elapsed;
        // At most the bound plus the attempt that was running then, far below the ten connect timeouts of the pool.
        Assert.True(bounded < ConnectTimeout * Endpoints, $"took {bounded.TotalMilliseconds:0} ms");

        output.WriteLine($"unbounded: {unbounded.TotalMilliseconds:0} ms, bounded: {bounded.TotalMilliseconds:0} ms");
        var metrics = await ingress.MetricsAsync();
        Assert.Equal(Endpoints - 1, PrometheusText.Value(metrics, "ballast_replays_total{route=\"unbounded\"}"));
        Assert.InRange(PrometheusText.Value(metrics, "ballast_replays_total{route=\"bounded\"}") ?? 0, 0, 2);
        Assert.Equal(1, PrometheusText.Value(metrics, "ballast_retry_total_timeout_passed_total{route=\"bounded\"}"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retry_total_timeout_passed_total{route=\"unbounded\"}") ?? 0);
        // Replays are not retries.
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_retries_total{route=\"unbounded\"}") ?? 0);
    }

    private static PoolSnapshot Unreachable(string id, IEnumerable<int> ports) =>
        Pool(id, PoolProtocol.HTTP1, [.. ports.Select(p => new EndpointSnapshot { Host = "127.0.0.1", Port = p })]) with { ConnectTimeout = ConnectTimeout };

    /// <summary>
    /// Listeners whose accept queue is full, so the kernel drops every further SYN and a connect hangs until the
    /// client gives up: an unreachable endpoint on loopback, without root. Each listens with a backlog of 0 and is
    /// sent connections it never accepts until one does not complete.
    /// </summary>
    private sealed class Blackholes : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        public List<int> Ports { get; } = [];

        public static async Task<Blackholes> OpenAsync(int count)
        {
            var holes = new Blackholes();
            var fills = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                holes._sockets.Add(listener);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(0);
                var endpoint = (IPEndPoint)listener.LocalEndPoint!;
                holes.Ports.Add(endpoint.Port);
                fills.Add(holes.FillAsync(endpoint));
            }

            await Task.WhenAll(fills);
            return holes;
        }

        private async Task FillAsync(IPEndPoint endpoint)
        {
            for (var i = 0; i < 16; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
                try
                {
                    await client.ConnectAsync(endpoint, timeout.Token);
                    lock (_sockets) _sockets.Add(client); // queued, never accepted: it fills the backlog
                }
                catch (OperationCanceledException)
                {
                    client.Dispose(); // the queue is full: connects hang from now on
                    return;
                }
            }

            throw new InvalidOperationException($"{endpoint}: the accept queue never filled; connects to it would not hang");
        }

        public void Dispose()
        {
            lock (_sockets)
            {
                foreach (var socket in _sockets) socket.Dispose();
            }
        }
    }
}
