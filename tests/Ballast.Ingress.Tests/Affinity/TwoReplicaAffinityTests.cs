using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Xunit.Abstractions;
using static Ballast.Ingress.Tests.Affinity.AffinityCluster;

namespace Ballast.Ingress.Tests.Affinity;

/// <summary>
/// Two ingress replicas (two in-process hosts: separate listeners, data planes, local tables and Redis
/// connections; nothing shared but the key ring and Redis), real backends, real redis-server. The pools balance
/// round-robin, so a client that sees one backend across both replicas does so only because of affinity.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TwoReplicaAffinityTests(ITestOutputHelper output)
{
    private static readonly SessionAffinitySnapshot CookieMode = new() { Type = AffinityType.Cookie };
    private static readonly SessionAffinitySnapshot HeaderMode = new() { Type = AffinityType.Header, HeaderName = "X-User" };

    private static async Task RunClientsAsync(AffinityCluster cluster, IReadOnlyList<Client> clients, int requestsEach, int firstReplica = 0)
    {
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (client, _) =>
        {
            for (var r = 0; r < requestsEach; r++)
            {
                var replica = cluster.Replicas[(firstReplica + r) % cluster.Replicas.Count];
                var (status, _) = await SendAsync(replica, client);
                if (status != HttpStatusCode.OK) failures.Add($"{client.Id}: {(int)status}");
            }
        });
        Assert.Empty(failures);
    }

    private static Client[] Clients(int count, string prefix = "client-") => [.. Enumerable.Range(0, count).Select(i => new Client(prefix + i))];

    [Fact]
    public async Task Cookie_mode_1000_clients_alternating_between_two_replicas_each_see_exactly_one_backend_without_shared_state()
    {
        // No Redis at all: the cookie alone carries the pin, and the other replica verifies it with the shared key.
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, CookieMode);
        var clients = Clients(1000);

        await RunClientsAsync(cluster, clients, requestsEach: 10);

        Assert.All(clients, c => Assert.Equal(10, c.Backends.Count));
        Assert.All(clients, c => Assert.Single(c.Backends.Distinct()));
        Assert.Equal(3, clients.Select(c => c.Backends[0]).Distinct().Count()); // and they are spread over all three
    }

    [Fact]
    public async Task Header_mode_1000_clients_alternating_between_two_replicas_each_see_exactly_one_backend_through_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, HeaderMode, redis: redis);
        var clients = Clients(1000);

        await RunClientsAsync(cluster, clients, requestsEach: 10);

        Assert.All(clients, c => Assert.Single(c.Backends.Distinct()));
        Assert.Equal(3, clients.Select(c => c.Backends[0]).Distinct().Count());
        Assert.Equal(0, await cluster.MetricAsync(0, "ballast_affinity_degraded"));
    }

    [Fact]
    public async Task A_fourth_backend_moves_no_pinned_client_while_plain_consistent_hash_moves_a_share()
    {
        var hashing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.ConsistentHash, HashSource = HashSource.Header, HashName = "X-User" };
        await using var redis = await RedisServer.StartAsync();
        await using var sticky = await AffinityCluster.StartAsync(replicas: 2, backends: 3, HeaderMode, hashing, redis);
        await using var plain = await AffinityCluster.StartAsync(replicas: 1, backends: 3, affinity: null, hashing);
        var stickyClients = Clients(1000);
        var plainClients = Clients(1000);
        await RunClientsAsync(sticky, stickyClients, requestsEach: 1);
        await RunClientsAsync(plain, plainClients, requestsEach: 1);

        await sticky.AddBackendAsync();
        await plain.AddBackendAsync();
        await RunClientsAsync(sticky, stickyClients, requestsEach: 1, firstReplica: 1); // now through the other replica
        await RunClientsAsync(plain, plainClients, requestsEach: 1);
        var newcomers = Clients(400, "new-");
        await RunClientsAsync(sticky, newcomers, requestsEach: 1);

        var stickyMoved = stickyClients.Count(c => c.Backends[0] != c.Backends[1]);
        var plainMoved = plainClients.Count(c => c.Backends[0] != c.Backends[1]);
        output.WriteLine($"after adding a 4th backend: with the affinity table {stickyMoved}/1000 clients moved; plain consistent hash moved {plainMoved}/1000 ({plainMoved / 10.0:F1}%)");
        Assert.Equal(0, stickyMoved);
        Assert.InRange(plainMoved, 100, 500); // about a quarter: the comparison the table improves on
        Assert.Contains(newcomers, c => c.Backends[0] == "b4"); // new clients do reach the new backend
    }

    [Fact]
    public async Task When_replica_A_stops_its_clients_continue_on_replica_B_with_the_same_backend()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, HeaderMode, redis: redis);
        var headerClients = Clients(100);
        await RunClientsAsync(cluster, headerClients, requestsEach: 1); // pinned through A only

        await cluster.StopReplicaAsync(0);
        foreach (var client in headerClients) Assert.Equal(HttpStatusCode.OK, (await SendAsync(cluster.Replicas[1], client)).Status);

        Assert.All(headerClients, c => Assert.Equal(c.Backends[0], c.Backends[1]));
    }

    [Fact]
    public async Task When_replica_A_stops_its_cookie_clients_continue_on_replica_B_with_the_same_backend()
    {
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, CookieMode);
        var clients = Clients(100);
        await RunClientsAsync(cluster, clients, requestsEach: 1);

        await cluster.StopReplicaAsync(0);
        foreach (var client in clients) Assert.Equal(HttpStatusCode.OK, (await SendAsync(cluster.Replicas[1], client)).Status);

        Assert.All(clients, c => Assert.Equal(c.Backends[0], c.Backends[1]));
    }

    [Theory]
    [InlineData(AffinityType.Cookie)]
    [InlineData(AffinityType.Header)]
    public async Task When_the_pinned_backend_dies_the_next_request_succeeds_elsewhere_and_sticks_there(AffinityType type)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, type == AffinityType.Cookie ? CookieMode : HeaderMode, redis: redis);
        var clients = Clients(30);
        await RunClientsAsync(cluster, clients, requestsEach: 2);
        var victim = clients[0].Backends[0];
        var pinnedToVictim = clients.Where(c => c.Backends[0] == victim).ToList();

        await cluster.KillBackendAsync(victim);
        await RunClientsAsync(cluster, pinnedToVictim, requestsEach: 6);

        foreach (var client in pinnedToVictim)
        {
            var after = client.Backends.Skip(2).ToList();
            Assert.Equal(6, after.Count);
            Assert.DoesNotContain(victim, after);
            Assert.Single(after.Distinct()); // re-pinned once, on both replicas alike
        }
        var repins = await cluster.MetricAsync(0, "ballast_affinity_repins_total{pool=\"shop/p\"}") + await cluster.MetricAsync(1, "ballast_affinity_repins_total{pool=\"shop/p\"}");
        Assert.InRange(repins, pinnedToVictim.Count, 2 * pinnedToVictim.Count);
    }

    [Fact]
    public async Task When_redis_stops_both_replicas_keep_answering_count_it_and_share_pins_again_after_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await AffinityCluster.StartAsync(replicas: 2, backends: 3, HeaderMode, redis: redis);
        var before = Clients(50, "before-");
        await RunClientsAsync(cluster, before, requestsEach: 2);

        await redis.StopAsync();
        var during = Clients(50, "during-");
        await RunClientsAsync(cluster, before, requestsEach: 2); // known clients: served from the local tables
        await RunClientsAsync(cluster, during, requestsEach: 2); // new clients: decided locally, no 5xx

        Assert.All(before, c => Assert.Single(c.Backends.Distinct()));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(1, await cluster.MetricAsync(i, "ballast_affinity_degraded"));
            Assert.True(await cluster.MetricAsync(i, "ballast_affinity_local_decisions_total{pool=\"shop/p\"}") > 0);
        }

        await redis.RestartAsync();
        // Requests are what make a replica try Redis again: each probe sends two, every 100 ms.
        await Eventually.GetAsync(async () =>
        {
            await RunClientsAsync(cluster, Clients(2, "probe-" + DateTime.UtcNow.Ticks + "-"), requestsEach: 1);
            return await cluster.MetricAsync(0, "ballast_affinity_degraded") == 0 && await cluster.MetricAsync(1, "ballast_affinity_degraded") == 0;
        }, back => back, "both replicas out of degraded mode once Redis is back", TimeSpan.FromSeconds(20), every: TimeSpan.FromMilliseconds(100));

        var after = Clients(100, "after-");
        await RunClientsAsync(cluster, after, requestsEach: 4);
        Assert.All(after, c => Assert.Single(c.Backends.Distinct()));
    }
}
