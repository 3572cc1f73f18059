using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Ingress.L4.ProxyProtocol;
using Ballast.Ingress.L4.Udp;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Model.Resources;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.L4.Udp;

[Trait("Category", "Integration")]
public sealed class UdpProxyTests
{
    /// <summary>
    /// Sends <paramref name="payload"/> and returns the reply that echoes it. On a shared, saturated box a reply can take
    /// seconds (not lost: the kernel's UDP RcvbufErrors stayed 0), so the client resends every 2 s within a 30 s deadline
    /// and skips late replies to earlier sends of its own, which would otherwise be taken for the answer to the next one.
    /// </summary>
    private static Task<string> ExchangeAsync(Socket client, IPEndPoint proxy, string payload)
        => ExchangeAsync(client, proxy, Encoding.ASCII.GetBytes(payload), payload);

    /// <param name="datagram">What is sent (e.g. a PROXY header and then <paramref name="payload"/>).</param>
    private static async Task<string> ExchangeAsync(Socket client, IPEndPoint proxy, byte[] datagram, string payload)
    {
        var buffer = new byte[2048];
        var bytes = datagram;
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await client.SendToAsync(bytes, SocketFlags.None, proxy);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                while (true)
                {
                    var n = await client.ReceiveAsync(buffer, SocketFlags.None, attempt.Token);
                    var reply = Encoding.ASCII.GetString(buffer, 0, n);
                    if (reply.EndsWith("|" + payload, StringComparison.Ordinal)) return reply;
                }
            }
            catch (OperationCanceledException) when (!overall.IsCancellationRequested) { } // resend
        }
    }

    private static Socket NewClient()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    [Fact]
    public async Task Hundred_clients_each_stick_to_one_backend_get_replies_and_sessions_expire_when_idle()
    {
        using var a = new UdpEchoBackend("a");
        using var b = new UdpEchoBackend("b");
        using var c = new UdpEchoBackend("c");
        var source = new RoundRobinSource("dns/udp", a.Port, b.Port, c.Port);
        var time = new FakeTimeProvider();
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = new UdpProxyListener(new UdpListenerOptions
        {
            Name = "udp-test",
            SessionIdleTimeout = TimeSpan.FromSeconds(30),
            SweepInterval = TimeSpan.FromSeconds(5),
            TimeProvider = time,
            Metrics = metrics,
        }, source);
        proxy.Start();

        var clients = Enumerable.Range(0, 100).Select(_ => NewClient()).ToArray();
        try
        {
            // All 100 clients open their sessions at once and each sends 5 datagrams.
            var answers = await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var replies = new List<string>();
                for (var seq = 0; seq < 5; seq++) replies.Add(await ExchangeAsync(client, proxy.LocalEndPoint, $"client{i}:{seq}"));
                return replies;
            }));

            for (var i = 0; i < answers.Length; i++)
            {
                var backends = answers[i].Select(r => r.Split('|')[0]).Distinct().ToArray();
                Assert.Single(backends); // every datagram of a client reached one backend …
                Assert.All(answers[i], r => Assert.StartsWith(backends[0] + "|client" + i + ":", r)); // … and the reply came back to it
            }
            // Sessions are placed round robin: 34/33/33, and each client is seen from one proxy address per backend.
            var perBackend = new[] { a, b, c }.Select(x => x.SendersByClient.Count).OrderBy(n => n).ToArray();
            Assert.Equal([33, 33, 34], perBackend);
            Assert.All(new[] { a, b, c }.SelectMany(x => x.SendersByClient.Values), senders => Assert.Single(senders.Distinct()));
            Assert.Equal(100, proxy.SessionCount);
            Assert.Equal(100, metrics.For("udp-test", "dns/udp").Accepted.Value);

            // Idle expiry: client 0 keeps talking at 20 s; at 35 s only its session is left.
            time.Advance(TimeSpan.FromSeconds(20));
            await ExchangeAsync(clients[0], proxy.LocalEndPoint, "client0:again");
            time.Advance(TimeSpan.FromSeconds(15));
            await Eventually.True(() => proxy.SessionCount == 1, "idle sessions swept");
            Assert.Equal(1, source.Endpoints.Sum(e => e.Load.InFlight));
            time.Advance(TimeSpan.FromSeconds(30));
            await Eventually.True(() => proxy.SessionCount == 0, "last session swept");
            Assert.Equal(0, metrics.For("udp-test", "dns/udp").UdpSessions.Value);

            // A client that comes back after expiry gets a new session and is answered again.
            Assert.Contains("|client5:back", await ExchangeAsync(clients[5], proxy.LocalEndPoint, "client5:back"));
            Assert.Equal(1, proxy.SessionCount);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task A_placement_that_waits_holds_only_its_own_clients_datagrams_and_sends_them_in_order_once_placed()
    {
        using var a = new UdpEchoBackend("a");
        using var waiting = NewClient();
        var gate = new TaskCompletionSource();
        var source = new GatedSource(new RoundRobinSource("dns/gated", a.Port), ((IPEndPoint)waiting.LocalEndPoint!).Port, gate.Task);
        await using var proxy = new UdpProxyListener(new UdpListenerOptions
        {
            Name = "udp-gated",
            SessionIdleTimeout = TimeSpan.FromSeconds(30),
            TimeProvider = new FakeTimeProvider(),
            Metrics = ProxyFixture.NewMetrics(),
        }, source);
        proxy.Start();

        // The waiting client's placement hangs (as a lookup in a slow Redis would); its three datagrams are held.
        for (var i = 0; i < 3; i++) await waiting.SendToAsync(Encoding.ASCII.GetBytes($"held:{i}"), SocketFlags.None, proxy.LocalEndPoint);
        await Eventually.True(() => source.Waiting == 1, "the placement to be waiting");
        try
        {
            // Meanwhile another client is served: the receive loop does not wait for that placement.
            using var other = NewClient();
            for (var i = 0; i < 3; i++)
                Assert.Equal($"a|free:{i}", await ExchangeAsync(other, proxy.LocalEndPoint, $"free:{i}").WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            gate.TrySetResult(); // also when the assertion failed: the listener's dispose must not wait on the placement
        }

        var buffer = new byte[256];
        var replies = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (replies.Count < 3)
        {
            var n = await waiting.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            replies.Add(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.Equal(["a|held:0", "a|held:1", "a|held:2"], replies);
        Assert.Equal(2, proxy.SessionCount);
    }

    /// <summary>The tests' pool, whose placement of one client waits for <paramref name="gate"/>.</summary>
    private sealed class GatedSource(RoundRobinSource inner, int gatedPort, Task gate) : Ballast.Ingress.L4.IL4EndpointSource
    {
        private int _waiting;
        public int Waiting => Volatile.Read(ref _waiting);
        public string PoolId => inner.PoolId;
        public TimeSpan ConnectTimeout => inner.ConnectTimeout;
        public ProxyProtocolVersion ProxyProtocol => inner.ProxyProtocol;
        public bool HashOnClientAddress => inner.HashOnClientAddress;
        public Ballast.Ingress.L4.ConnectionLimit Connections => inner.Connections;
        public Ballast.Ingress.Endpoints.EndpointState? Pick(in Ballast.Ingress.LoadBalancing.PickContext context) => inner.Pick(context);
        public void ReportConnectFailure(Ballast.Ingress.Endpoints.EndpointState endpoint) => inner.ReportConnectFailure(endpoint);
        public void ReportConnectSuccess(Ballast.Ingress.Endpoints.EndpointState endpoint) => inner.ReportConnectSuccess(endpoint);

        public async ValueTask<Ballast.Ingress.Endpoints.EndpointState?> PlaceAsync(IPEndPoint client, int listenerPort)
        {
            if (client.Port == gatedPort)
            {
                Interlocked.Increment(ref _waiting);
                await gate;
            }
            return inner.Pick(default);
        }
    }

    [Fact]
    public async Task Source_address_hashing_sends_a_client_to_the_same_backend_across_sessions()
    {
        using var a = new UdpEchoBackend("a");
        using var b = new UdpEchoBackend("b");
        var source = new RoundRobinSource("dns/hash", a.Port, b.Port) { HashOnClientAddress = true };
        var time = new FakeTimeProvider();
        await using var proxy = new UdpProxyListener(new UdpListenerOptions
        {
            Name = "udp-hash",
            SessionIdleTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = time,
            Metrics = ProxyFixture.NewMetrics(),
        }, source);
        proxy.Start();
        using var client = NewClient();
        var first = (await ExchangeAsync(client, proxy.LocalEndPoint, "h:1")).Split('|')[0];
        time.Advance(TimeSpan.FromSeconds(20));
        await Eventually.True(() => proxy.SessionCount == 0, "session expired");
        using var other = NewClient(); // same IP (127.0.0.1), another port: the hash is on the address only
        Assert.Equal(first, (await ExchangeAsync(other, proxy.LocalEndPoint, "h:2")).Split('|')[0]);
        Assert.Equal(first, (await ExchangeAsync(client, proxy.LocalEndPoint, "h:3")).Split('|')[0]);
    }

    [Fact]
    public async Task Pool_with_proxy_protocol_v2_puts_the_client_address_in_front_of_every_datagram()
    {
        using var backend = new UdpEchoBackend("b", expectProxyHeader: true);
        var source = new RoundRobinSource("dns/pp", backend.Port) { ProxyProtocol = ProxyProtocolVersion.V2 };
        await using var proxy = new UdpProxyListener(new UdpListenerOptions
        {
            Name = "udp-pp",
            TimeProvider = new FakeTimeProvider(),
            Metrics = ProxyFixture.NewMetrics(),
        }, source);
        proxy.Start();
        using var client = NewClient();
        var self = (IPEndPoint)client.LocalEndPoint!;
        for (var seq = 0; seq < 3; seq++) // not only the first: every datagram carries the header
            Assert.Equal($"b|{self}|pp:{seq}", await ExchangeAsync(client, proxy.LocalEndPoint, $"pp:{seq}"));
    }

    [Fact]
    public async Task Listener_accepting_proxy_protocol_takes_the_client_from_each_datagram_and_drops_datagrams_without_a_header()
    {
        using var backend = new UdpEchoBackend("b", expectProxyHeader: true);
        var source = new RoundRobinSource("dns/upstream", backend.Port) { ProxyProtocol = ProxyProtocolVersion.V2 };
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = new UdpProxyListener(new UdpListenerOptions
        {
            Name = "udp-accept",
            AcceptProxyProtocol = true,
            TimeProvider = new FakeTimeProvider(),
            Metrics = metrics,
        }, source);
        proxy.Start();
        using var upstreamBalancer = NewClient(); // stands for nginx's UDP proxy_protocol: a v2 header on every datagram
        var realClient = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4242);
        byte[] WithHeader(string payload)
        {
            var header = new byte[ProxyProtocolWriter.MaxV2Length];
            var length = ProxyProtocolWriter.Write(header, ProxyProtocolVersion.V2, realClient, proxy.LocalEndPoint, datagram: true);
            return [.. header.AsSpan(0, length), .. Encoding.ASCII.GetBytes(payload)];
        }

        // A datagram without a header is dropped (counted), one with a header right after is relayed with the real client.
        await upstreamBalancer.SendToAsync(Encoding.ASCII.GetBytes("bare:0"), SocketFlags.None, proxy.LocalEndPoint);
        Assert.Equal("b|203.0.113.7:4242|up:1", await ExchangeAsync(upstreamBalancer, proxy.LocalEndPoint, WithHeader("up:1"), "up:1"));
        Assert.Equal("b|203.0.113.7:4242|up:2", await ExchangeAsync(upstreamBalancer, proxy.LocalEndPoint, WithHeader("up:2"), "up:2"));
        Assert.Equal(1, metrics.For("udp-accept", "").Rejected.Value);
        Assert.Equal(1, proxy.SessionCount);
        Assert.False(backend.SendersByClient.ContainsKey("bare"));
    }
}
