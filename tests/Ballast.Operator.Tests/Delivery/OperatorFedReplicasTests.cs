using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Ballast.Operator.Tests.Support;
using Ballast.Testing;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Ballast.Operator.Tests.Delivery;

/// <summary>
/// The whole chain: Kubernetes API (emulator) ← real KubernetesClient → operator (in-process) → long-poll
/// snapshot delivery → two ingress replicas (in-process IngressHosts) → real backends.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OperatorFedReplicasTests(ITestOutputHelper output)
{
    private const string Ns = "shop";

    private static JsonObject Pool(string name, TestBackend backend) => Manifests.Parse($$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: {{name}}, namespace: {{Ns}} }
        spec:
          endpoints: [ { address: "127.0.0.1:{{backend.Port}}" } ]
        """)[0];

    private static JsonObject Policy(int port, int weightV1, int weightV2) => Manifests.Parse($$"""
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: shop, namespace: {{Ns}} }
        spec:
          listeners:
            - { name: http, port: {{port}}, protocol: HTTP }
          routes:
            - name: all
              match: { pathPrefix: / }
              backends:
                - { pool: v1, weight: {{weightV1}} }
                - { pool: v2, weight: {{weightV2}} }
        """)[0];

    private static bool Splits(Replica replica, int weightV1, int weightV2) =>
        replica.Host.CurrentSnapshot.Listeners.SelectMany(l => l.Routes).Any(r =>
            r.Backends.Length == 2 && r.Backends[0].Weight == weightV1 && r.Backends[1].Weight == weightV2);

    [Fact]
    public async Task Two_replicas_follow_the_operator_switch_a_canary_split_without_failures_and_keep_serving_when_it_is_gone()
    {
        await using var f = await OperatorFixture.StartAsync();
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        var state = Directory.CreateTempSubdirectory("ballast-replicas-").FullName;
        var port = FreeTcpPort();
        var addresses = new[] { IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2") };
        var replicas = new Replica?[2];
        try
        {
            for (var i = 0; i < 2; i++)
                replicas[i] = await Replica.StartAsync($"replica-{i}", addresses[i], f.Operator.SnapshotUri, OperatorFixture.Token, Path.Combine(state, $"r{i}"));

            // Applied with the real KubernetesClient, as kubectl would.
            var k8s = f.Cluster.Client;
            await k8s.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
            await k8s.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("v1", v1), "ballast.dev", "v1alpha1", Ns, "backendpools");
            await k8s.CustomObjects.CreateNamespacedCustomObjectAsync(Pool("v2", v2), "ballast.dev", "v1alpha1", Ns, "backendpools");
            await k8s.CustomObjects.CreateNamespacedCustomObjectAsync(Policy(port, 9, 1), "ballast.dev", "v1alpha1", Ns, "loadbalancerpolicies");

            await Eventually.True(() => replicas.All(r => Splits(r!, 9, 1) && r!.Host.GetReadiness().Ready), "both replicas on the 9/1 split and bound");
            using var clients = new Clients(port, addresses);
            foreach (var address in addresses)
                Assert.Equal(HttpStatusCode.OK, (await clients.For(address).GetAsync("/")).StatusCode);
            await f.UntilConditionAsync("loadbalancerpolicies", Ns, "shop", "Programmed", "True", "Programmed=True once both replicas report");
            var version = f.Operator.Hub.Current.Version;
            Assert.Equal(new Dictionary<string, long> { ["replica-0"] = version, ["replica-1"] = version }, f.Operator.Hub.ConnectedReplicas());

            // The canary step 9/1 -> 1/1 while 64 clients keep sending requests through both replicas.
            var load = clients.RunAsync(concurrency: 64);
            var current = await f.GetAsync("loadbalancerpolicies", Ns, "shop");
            var changed = Policy(port, 1, 1);
            changed["metadata"]!["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
            await k8s.CustomObjects.ReplaceNamespacedCustomObjectAsync(changed, "ballast.dev", "v1alpha1", Ns, "loadbalancerpolicies", "shop");
            await Eventually.True(() => replicas.All(r => Splits(r!, 1, 1)), "both replicas on the 1/1 split");
            var (before1, before2) = (v1.Requests, v2.Requests);
            await Eventually.True(() => v1.Requests + v2.Requests - before1 - before2 >= 400, "400 requests on the new split", TimeSpan.FromSeconds(30));
            var (after1, after2) = (v1.Requests - before1, v2.Requests - before2);
            var sent = await clients.StopAsync(load);
            Assert.True(clients.Failures.IsEmpty, "failed requests: " + string.Join("; ", clients.Failures.Take(5)));
            Assert.True(sent > 400, $"only {sent} requests sent");
            var share = (double)after2 / (after1 + after2);
            output.WriteLine($"{sent} requests by 64 clients across the canary step, 0 failed; on the new split v1={after1} v2={after2} ({share:P1})");
            Assert.InRange(share, 0.4, 0.6); // 1/1 now (it was 10% before the change)

            // The operator goes away: both replicas keep serving the last snapshot.
            await f.StopOperatorAsync();
            foreach (var address in addresses)
                Assert.Equal(HttpStatusCode.OK, (await clients.For(address).GetAsync("/")).StatusCode);

            // A replica restarted while the operator is down starts from its saved snapshot and serves.
            var last = replicas[1]!.Host.CurrentSnapshot;
            await replicas[1]!.DisposeAsync();
            replicas[1] = null;
            replicas[1] = await Replica.StartAsync("replica-1", addresses[1], f.Operator.SnapshotUri, OperatorFixture.Token, Path.Combine(state, "r1"));
            await Eventually.True(() => replicas[1]!.Host.CurrentSnapshot.ContentHash == last.ContentHash && Splits(replicas[1]!, 1, 1) && replicas[1]!.Host.GetReadiness().Ready,
                "the restarted replica on its saved snapshot");
            using var fresh = new Clients(port, addresses);
            var served = await fresh.For(addresses[1]).GetStringAsync("/");
            Assert.Contains(served, new[] { "v1", "v2" });

            await f.StartOperatorAsync(); // the fixture disposes a running operator
        }
        finally
        {
            foreach (var replica in replicas)
                if (replica is not null) await replica.DisposeAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    private static int FreeTcpPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Keep-alive HTTP clients, one per replica address, and a closed-loop load of concurrent requests.</summary>
    private sealed class Clients : IDisposable
    {
        private readonly Dictionary<IPAddress, HttpClient> _clients;
        private readonly CancellationTokenSource _stop = new();
        private long _sent;

        public Clients(int port, IPAddress[] addresses)
        {
            _clients = addresses.ToDictionary(a => a, a => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
            {
                BaseAddress = new Uri($"http://{a}:{port}"),
                Timeout = TimeSpan.FromSeconds(10),
            });
        }

        public ConcurrentQueue<string> Failures { get; } = new();

        public HttpClient For(IPAddress address) => _clients[address];

        public Task RunAsync(int concurrency)
        {
            var all = _clients.Values.ToArray();
            return Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
            {
                var client = all[i % all.Length];
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await client.GetAsync("/");
                        var body = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode != HttpStatusCode.OK || body is not ("v1" or "v2")) Failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Failures.Enqueue(e.Message);
                    }
                    Interlocked.Increment(ref _sent);
                }
            })));
        }

        public async Task<long> StopAsync(Task load)
        {
            await _stop.CancelAsync();
            await load;
            return Interlocked.Read(ref _sent);
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var client in _clients.Values) client.Dispose();
        }
    }
}
