using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Affinity;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ballast.Ingress.Tests.L4.Wiring;

/// <summary>
/// Two replicas (in-process hosts on 127.0.0.1 and 127.0.0.2, the same port, the same YAML) as an active-active pair
/// behind two VIPs: a flow that reaches the other replica after a failover must keep its backend. UDP flows on a
/// Maglev pool are keyed on their flow, so both replicas place them alike with no shared state; TCP clients of a
/// pool with client-IP affinity are pinned in the affinity table shared through Redis, which degrades and
/// reconciles as HTTP affinity does. (The network-namespace version with keepalived is in Ballast.Ha.Tests.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class L4ActiveActiveTests(ITestOutputHelper output)
{
    private static readonly IPAddress ReplicaA = IPAddress.Loopback;
    private static readonly IPAddress ReplicaB = IPAddress.Parse("127.0.0.2");

    private sealed class Replica(IngressFixture ingress, FolderSnapshotSource source) : IAsyncDisposable
    {
        public IngressFixture Ingress { get; } = ingress;
        /// <summary>Reloads the folder now (the tests' sources never reload by themselves: their debounce is an hour).</summary>
        public Task ReloadAsync() => source.ReloadAsync();
        private bool _disposed;

        public async ValueTask DisposeAsync()
        {
            if (_disposed) return;
            _disposed = true;
            await source.DisposeAsync();
            await Ingress.DisposeAsync();
        }
    }

    private static async Task<Replica> StartReplicaAsync(L4Folder folder, IPAddress address, RedisServer? redis = null)
    {
        var ingress = await IngressFixture.StartAsync(new IngressOptions
        {
            ListenerAddress = address,
            AffinityKeys = AffinityCluster.SharedKeys,
            Redis = redis is null ? null : new RedisOptions { Endpoint = redis.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) },
        });
        var source = new FolderSnapshotSource(folder.Path, ingress.Host, TimeProvider.System, TimeSpan.FromHours(1), NullLogger<FolderSnapshotSource>.Instance);
        await source.StartAsync();
        Assert.Empty(source.LastDiagnostics.Where(d => d.Severity == Model.Compilation.Severity.Error));
        if (redis is not null)
        {
            var connection = ingress.Host.Services.GetRequiredService<RedisConnection>();
            await Eventually.True(() => connection.Multiplexer.IsCompletedSuccessfully && connection.Multiplexer.Result is { IsConnected: true },
                "the replica connected to Redis", TimeSpan.FromMilliseconds(15_000));
        }
        return new Replica(ingress, source);
    }

    private static string Policy(string protocol, int port) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: edge }
        spec:
          listeners:
            - { name: l4, port: {{port}}, protocol: {{protocol}} }
          tcpRoutes:
            - { listener: l4, backends: [ { pool: p } ] }
        """;

    private static string Pool(string protocol, string extra, params int[] ports) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: p }
        spec:
          protocol: {{protocol}}
          endpoints: [ {{string.Join(", ", ports.Select(p => $"{{ address: \"127.0.0.1:{p}\" }}"))}} ]
        {{extra}}
        """;

    [Fact]
    public async Task Udp_flows_on_a_maglev_pool_keep_their_backend_when_they_move_to_the_other_replica()
    {
        using var one = new UdpEchoBackend("one");
        using var two = new UdpEchoBackend("two");
        using var three = new UdpEchoBackend("three");
        using var folder = new L4Folder();
        var port = L4Folder.FreeUdpPort();
        folder.Write("pool.yaml", Pool("UDP", "  loadBalancing: { algorithm: Maglev }", one.Port, two.Port, three.Port));
        folder.Write("policy.yaml", Policy("UDP", port));
        await using var a = await StartReplicaAsync(folder, ReplicaA);
        await using var b = await StartReplicaAsync(folder, ReplicaB);

        // 100 flows from one client address (100 source ports), first through replica A.
        var flows = Enumerable.Range(0, 100).Select(_ => NewUdpClient()).ToList();
        try
        {
            var before = new List<string>();
            foreach (var (flow, i) in flows.Select((f, i) => (f, i))) before.Add(await ExchangeAsync(flow, new IPEndPoint(ReplicaA, port), $"f{i}"));
            await a.DisposeAsync(); // replica A dies; its VIP (and these flows) move to B
            var after = new List<string>();
            foreach (var (flow, i) in flows.Select((f, i) => (f, i))) after.Add(await ExchangeAsync(flow, new IPEndPoint(ReplicaB, port), $"f{i}"));

            var kept = before.Zip(after).Count(p => p.First == p.Second);
            output.WriteLine($"{kept} of 100 flows kept their backend; spread over [{string.Join(", ", before.GroupBy(x => x).Select(g => $"{g.Key}: {g.Count()}"))}]");
            Assert.True(kept >= 99, $"only {kept} of 100 flows kept their backend");
            // Keyed on the flow, not the client address: one client's flows spread over every backend.
            Assert.Equal(3, before.Distinct().Count());
        }
        finally
        {
            foreach (var flow in flows) flow.Dispose();
        }
    }

    [Fact]
    public async Task Tcp_client_ip_affinity_is_shared_through_redis_degrades_without_errors_and_reconciles()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var one = new TcpBackend("one", SayNameAsync("one"));
        await using var two = new TcpBackend("two", SayNameAsync("two"));
        await using var three = new TcpBackend("three", SayNameAsync("three"));
        using var folder = new L4Folder();
        var port = FreePortOn();
        // Round robin: only the shared table can make two replicas agree on a client's backend.
        folder.Write("pool.yaml", Pool("TCP", "  loadBalancing: { algorithm: RoundRobin }\n  sessionAffinity: { type: ClientIp, ttl: 1h }", one.Port, two.Port, three.Port));
        folder.Write("policy.yaml", Policy("TCP", port));
        await using var a = await StartReplicaAsync(folder, ReplicaA, redis);
        await using var b = await StartReplicaAsync(folder, ReplicaB, redis);
        var clients = Enumerable.Range(10, 20).Select(i => IPAddress.Parse($"127.0.1.{i}")).ToList();

        var viaA = new List<string>();
        foreach (var client in clients) viaA.Add(await AskAsync(client, ReplicaA, port));
        var viaB = new List<string>();
        foreach (var client in clients) viaB.Add(await AskAsync(client, ReplicaB, port));
        Assert.Equal(viaA, viaB);
        Assert.Equal(3, viaA.Distinct().Count());
        Assert.Equal(20, Lookups(await a.Ingress.MetricsAsync(), "miss"));
        Assert.Equal(20, Lookups(await b.Ingress.MetricsAsync(), "shared_hit"));

        // Redis stops: new clients are still served (every AskAsync below reads a backend's name: no error reaches a
        // client), decided locally and counted, and the gauge says so.
        await redis.StopAsync();
        var newcomers = Enumerable.Range(10, 10).Select(i => IPAddress.Parse($"127.0.2.{i}")).ToList();
        var duringOutage = new List<string>();
        foreach (var client in newcomers) duringOutage.Add(await AskAsync(client, ReplicaA, port));
        var metricsA = await a.Ingress.MetricsAsync();
        Assert.Equal(1, PrometheusText.Value(metricsA, "ballast_affinity_degraded"));
        Assert.Equal(10, PrometheusText.Value(metricsA, "ballast_affinity_local_decisions_total{pool=\"default/p\"}"));

        // Redis returns: the gauge clears and A's local decisions are shared, so B follows them.
        await redis.RestartAsync();
        await Eventually.True(() => PrometheusText.Value(a.Ingress.MetricsAsync().GetAwaiter().GetResult(), "ballast_affinity_degraded") == 0,
            "replica A sees Redis again", TimeSpan.FromMilliseconds(20_000));
        await Eventually.True(() => a.Ingress.Host.Services.GetRequiredService<Ballast.Ingress.Affinity.SharedAffinityStore>().PendingCount == 0,
            "A's local decisions written to Redis", TimeSpan.FromMilliseconds(10_000));
        var redisOfB = b.Ingress.Host.Services.GetRequiredService<RedisConnection>();
        await Eventually.True(() => redisOfB.Multiplexer.Result is { IsConnected: true } && !redisOfB.IsDegraded, "replica B reconnected to Redis", TimeSpan.FromMilliseconds(20_000));
        var afterOutage = new List<string>();
        foreach (var client in newcomers) afterOutage.Add(await AskAsync(client, ReplicaB, port));
        Assert.Equal(duringOutage, afterOutage);
    }

    [Fact]
    public async Task Udp_flows_moved_by_an_endpoint_change_keep_their_backend_through_a_failover()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var flowsLab = await FlowLab.StartAsync(redis, output);
        var moved = await flowsLab.AddEndpointAsync();
        var (a, b) = (flowsLab.A, flowsLab.B);
        // A pinned exactly the flows the new endpoint set moved, in Redis; the others need no pin.
        Assert.Equal(moved.Count, PrometheusText.Value(await a.Ingress.MetricsAsync(), "ballast_l4_flow_pins_total{pool=\"default/p\"}"));
        await Eventually.True(() => FlowPins(a, "shared") == moved.Count, $"A shares {moved.Count} pins", TimeSpan.FromMilliseconds(10_000));

        await a.DisposeAsync(); // replica A dies; its flows move to B
        var after = await flowsLab.ExchangeAllAsync(ReplicaB);
        var kept = flowsLab.Before.Zip(after).Count(p => p.First == p.Second);
        var metricsB = await b.Ingress.MetricsAsync();
        output.WriteLine($"{kept} of {after.Count} flows kept their backend through B; {moved.Count} had been moved by the new endpoint; " +
            $"B's flow table: {FlowLookups(metricsB, "shared_hit")} shared hits, {FlowLookups(metricsB, "miss")} misses");
        Assert.True(kept >= 0.99 * after.Count, $"only {kept} of {after.Count} flows kept their backend");
        // Only the flows whose choice moved were looked up, and each was found.
        Assert.Equal(moved.Count, FlowLookups(metricsB, "shared_hit"));
        Assert.Equal(0, FlowLookups(metricsB, "miss") + FlowLookups(metricsB, "unavailable"));
    }

    [Fact]
    public async Task Udp_flow_pins_degrade_without_errors_while_redis_is_away_and_are_shared_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var flowsLab = await FlowLab.StartAsync(redis, output);
        var (a, b) = (flowsLab.A, flowsLab.B);

        // Redis stops, then the endpoint set changes: A cannot share its pins, defers them, and says so.
        await redis.StopAsync();
        var moved = await flowsLab.AddEndpointAsync();
        await Eventually.True(() => FlowPins(a, "deferred") == moved.Count, $"A defers {moved.Count} pins", TimeSpan.FromMilliseconds(10_000));
        Assert.Equal(1, PrometheusText.Value(await a.Ingress.MetricsAsync(), "ballast_affinity_degraded"));
        // No errors meanwhile: every flow still answers through A, from its backend.
        Assert.Equal(flowsLab.Before, await flowsLab.ExchangeAllAsync(ReplicaA));
        // New flows that reach B are decided locally (the moved ones among them cannot be looked up) and answered.
        var newcomers = Enumerable.Range(0, 30).Select(_ => NewUdpClient()).ToList();
        try
        {
            foreach (var (flow, i) in newcomers.Select((f, i) => (f, i))) Assert.NotEmpty(await ExchangeAsync(flow, new IPEndPoint(ReplicaB, flowsLab.Port), $"n{i}"));
        }
        finally
        {
            foreach (var flow in newcomers) flow.Dispose();
        }
        output.WriteLine($"while Redis was away: {FlowLookups(await b.Ingress.MetricsAsync(), "unavailable")} of 30 new flows through B decided locally");

        // Redis returns: the gauge clears and A writes the pins it deferred; then A dies and B finds them.
        await redis.RestartAsync();
        await Eventually.True(() => PrometheusText.Value(a.Ingress.MetricsAsync().GetAwaiter().GetResult(), "ballast_affinity_degraded") == 0,
            "replica A sees Redis again", TimeSpan.FromMilliseconds(20_000));
        await Eventually.True(() => a.Ingress.Host.Services.GetRequiredService<Ballast.Ingress.Affinity.SharedAffinityStore>().PendingCount == 0,
            "A's deferred pins written to Redis", TimeSpan.FromMilliseconds(10_000));
        var redisOfB = b.Ingress.Host.Services.GetRequiredService<RedisConnection>();
        await Eventually.True(() => redisOfB.Multiplexer.Result is { IsConnected: true } && !redisOfB.IsDegraded, "replica B reconnected to Redis", TimeSpan.FromMilliseconds(20_000));

        await a.DisposeAsync();
        var after = await flowsLab.ExchangeAllAsync(ReplicaB);
        var kept = flowsLab.Before.Zip(after).Count(p => p.First == p.Second);
        output.WriteLine($"{kept} of {after.Count} flows kept their backend through B after Redis returned ({moved.Count} moved by the new endpoint)");
        Assert.True(kept >= 0.99 * after.Count, $"only {kept} of {after.Count} flows kept their backend");
        Assert.Equal(moved.Count, FlowLookups(await b.Ingress.MetricsAsync(), "shared_hit"));
    }

    /// <summary>Flow pins written to Redis (<c>shared</c>) or queued for it (<c>deferred</c>) by a replica.</summary>
    private static double FlowPins(Replica replica, string result)
        => PrometheusText.Value(replica.Ingress.MetricsAsync().GetAwaiter().GetResult(), $"ballast_l4_flow_pin_writes_total{{pool=\"default/p\",result=\"{result}\"}}") ?? 0;

    private static double FlowLookups(string metrics, string result)
        => PrometheusText.Value(metrics, $"ballast_l4_flow_table_lookups_total{{pool=\"default/p\",result=\"{result}\"}}") ?? 0;

    /// <summary>
    /// Two replicas sharing a Redis over a UDP Maglev pool of two backends (a third one waits), and 100 flows from one
    /// client address established through replica A.
    /// </summary>
    private sealed class FlowLab : IAsyncDisposable
    {
        private readonly UdpEchoBackend[] _backends = [new("one"), new("two"), new("three")];
        private readonly L4Folder _folder = new();
        private readonly List<Socket> _flows = [.. Enumerable.Range(0, 100).Select(_ => NewUdpClient())];

        public Replica A { get; private set; } = null!;
        public Replica B { get; private set; } = null!;
        public int Port { get; } = L4Folder.FreeUdpPort();
        public List<string> Before { get; private set; } = [];

        public static async Task<FlowLab> StartAsync(RedisServer redis, ITestOutputHelper output)
        {
            var lab = new FlowLab();
            try
            {
                lab._folder.Write("pool.yaml", Pool("UDP", "  loadBalancing: { algorithm: Maglev }", lab._backends[0].Port, lab._backends[1].Port));
                lab._folder.Write("policy.yaml", Policy("UDP", lab.Port));
                lab.A = await StartReplicaAsync(lab._folder, ReplicaA, redis);
                lab.B = await StartReplicaAsync(lab._folder, ReplicaB, redis);
                lab.Before = await lab.ExchangeAllAsync(ReplicaA);
                output.WriteLine($"before: [{string.Join(", ", lab.Before.GroupBy(x => x).Select(g => $"{g.Key}: {g.Count()}"))}]");
                Assert.Equal(2, lab.Before.Distinct().Count());
                return lab;
            }
            catch
            {
                await lab.DisposeAsync();
                throw;
            }
        }

        /// <summary>Adds the third backend on both replicas; returns the flows (indexes) whose Maglev choice it moved.</summary>
        public async Task<List<int>> AddEndpointAsync()
        {
            _folder.Write("pool.yaml", Pool("UDP", "  loadBalancing: { algorithm: Maglev }", _backends[0].Port, _backends[1].Port, _backends[2].Port));
            await A.ReloadAsync();
            await B.ReloadAsync();
            var balancer = A.Ingress.Host.DataPlane.Current.Pools["default/p"].Balancer;
            Assert.Equal(3, balancer.Endpoints.Length);
            var moved = Enumerable.Range(0, _flows.Count).Where(i =>
                balancer.Pick(new Ballast.Ingress.LoadBalancing.PickContext(Ballast.Ingress.L4.ClientAddressHash.OfFlow((IPEndPoint)_flows[i].LocalEndPoint!, Port)))!.Id
                    != $"127.0.0.1:{_backends.Single(x => x.Name == Before[i]).Port}").ToList();
            // Maglev moves about a third of the flows to the new third endpoint, and no others.
            Assert.InRange(moved.Count, 15, 55);
            return moved;
        }

        public async Task<List<string>> ExchangeAllAsync(IPAddress replica)
        {
            var answers = new List<string>();
            foreach (var (flow, i) in _flows.Select((f, i) => (f, i))) answers.Add(await ExchangeAsync(flow, new IPEndPoint(replica, Port), $"f{i}"));
            return answers;
        }

        public async ValueTask DisposeAsync()
        {
            if (B is not null) await B.DisposeAsync();
            if (A is not null) await A.DisposeAsync();
            foreach (var flow in _flows) flow.Dispose();
            foreach (var backend in _backends) backend.Dispose();
            _folder.Dispose();
        }
    }

    private static double Lookups(string metrics, string result)
        => PrometheusText.Value(metrics, $"ballast_affinity_table_lookups_total{{pool=\"default/p\",result=\"{result}\"}}") ?? 0;

    private static Func<Socket, Task> SayNameAsync(string name) => async socket =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(name + "\n"), SocketFlags.None);
        var buffer = new byte[16];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0) { }
    };

    /// <summary>Connects from <paramref name="client"/> (a loopback address) and reads the backend's name.</summary>
    private static async Task<string> AskAsync(IPAddress client, IPAddress replica, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(client, 0));
        await socket.ConnectAsync(new IPEndPoint(replica, port));
        var buffer = new byte[64];
        var text = "";
        using var timeout = new CancellationTokenSource(10_000);
        while (!text.EndsWith('\n'))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException($"closed after '{text}' (client {client} via {replica})");
            text += Encoding.ASCII.GetString(buffer, 0, n);
        }
        return text.TrimEnd('\n');
    }

    private static int FreePortOn()
    {
        // Free on both replica addresses: a port free on 0.0.0.0 is free on each.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static Socket NewUdpClient()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>Sends one datagram and returns the backend's name from the answer ("name|payload"); resends every 2 s.</summary>
    private static async Task<string> ExchangeAsync(Socket socket, IPEndPoint to, string payload)
    {
        var buffer = new byte[512];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await socket.SendToAsync(Encoding.ASCII.GetBytes(payload), SocketFlags.None, to);
            using var wait = new CancellationTokenSource(2000);
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    var answer = Encoding.ASCII.GetString(buffer, 0, n);
                    if (answer.EndsWith("|" + payload, StringComparison.Ordinal)) return answer.Split('|')[0];
                }
            }
            catch (OperationCanceledException) when (DateTime.UtcNow < deadline) { }
        }
    }
}
