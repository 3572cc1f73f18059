using System.Net;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Affinity;

/// <summary>
/// Replicas of the ingress (in-process hosts: separate Kestrel listeners, data planes, local tables and Redis
/// connections), real backends, and a simulated client that carries its cookie by hand.
/// </summary>
public sealed class AffinityCluster : IAsyncDisposable
{
    public static readonly AffinityKeyRing SharedKeys = new([Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()]);

    private readonly List<TestBackend> _backends = [];
    private readonly SessionAffinitySnapshot? _affinity;
    private readonly LoadBalancingSnapshot _balancing;
    private long _version;

    private AffinityCluster(SessionAffinitySnapshot? affinity, LoadBalancingSnapshot balancing)
    {
        _affinity = affinity;
        _balancing = balancing;
    }

    public List<Replica> Replicas { get; } = [];
    public IReadOnlyList<TestBackend> Backends => _backends;

    public sealed record Replica(IngressFixture Ingress, int Port, HttpClient Client);

    public static async Task<AffinityCluster> StartAsync(int replicas, int backends, SessionAffinitySnapshot? affinity,
        LoadBalancingSnapshot? balancing = null, RedisServer? redis = null)
    {
        var cluster = new AffinityCluster(affinity, balancing ?? new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.RoundRobin });
        for (var i = 0; i < backends; i++) await cluster.AddBackendAsync(apply: false);
        for (var i = 0; i < replicas; i++)
        {
            var ingress = await IngressFixture.StartAsync(new IngressOptions
            {
                AffinityKeys = SharedKeys,
                // A generous budget: the machine is shared, and a timeout here would be a (correct) local decision.
                Redis = redis is null ? null : new RedisOptions { Endpoint = redis.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) },
            });
            var port = FreePort.Next();
            cluster.Replicas.Add(new Replica(ingress, port, ingress.Client(port)));
            if (redis is not null) await WaitConnectedAsync(ingress);
        }
        await cluster.ApplyAsync();
        return cluster;
    }

    /// <summary>
    /// A replica connects to Redis in the background and decides locally until then (by design: it must serve
    /// at once). Tests of the shared table start once every replica is connected, as a rollout would be.
    /// </summary>
    private static async Task WaitConnectedAsync(IngressFixture ingress)
    {
        var connection = ingress.Host.Services.GetRequiredService<Ballast.Ingress.Redis.RedisConnection>();
        await Eventually.True(() => connection.Multiplexer.IsCompletedSuccessfully && connection.Multiplexer.Result is { IsConnected: true }, "the replica to connect to Redis");
    }

    public async Task<TestBackend> AddBackendAsync(bool apply = true)
    {
        var backend = await TestBackend.StartAsync("b" + (_backends.Count + 1));
        _backends.Add(backend);
        if (apply) await ApplyAsync();
        return backend;
    }

    /// <summary>Stops a backend and removes it from the pool (its endpoint is gone, as an EndpointSlice would say).</summary>
    public async Task KillBackendAsync(string name)
    {
        var backend = _backends.Single(b => b.Name == name);
        await backend.DisposeAsync();
        _backends.Remove(backend);
        await ApplyAsync();
    }

    private readonly HashSet<int> _stopped = [];

    public async Task StopReplicaAsync(int index)
    {
        _stopped.Add(index);
        await Replicas[index].Ingress.DisposeAsync();
    }

    public async Task ApplyAsync()
    {
        var version = Interlocked.Increment(ref _version);
        var pool = Pool("shop/p", [.. _backends]) with { SessionAffinity = _affinity, LoadBalancing = _balancing };
        foreach (var (replica, index) in Replicas.Select((r, i) => (r, i)))
        {
            if (_stopped.Contains(index)) continue;
            await replica.Ingress.ApplyAsync(Of(version, [Listener(replica.Port, Route("r", ("shop/p", 1)))], pool));
        }
    }

    /// <summary>A simulated client: its affinity header (header mode) and the cookie it was given (cookie mode).</summary>
    public sealed class Client(string id)
    {
        public string Id { get; } = id;
        public string? Cookie { get; set; }
        public List<string> Backends { get; } = [];
    }

    /// <summary>One request of a client through a replica; returns the status and the backend that answered.</summary>
    public static async Task<(HttpStatusCode Status, string? Backend)> SendAsync(Replica replica, Client client, string cookieName = "BALLAST")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-User", client.Id);
        if (client.Cookie is not null) request.Headers.Add("Cookie", $"{cookieName}={client.Cookie}");
        using var response = await replica.Client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            foreach (var cookie in cookies)
            {
                if (cookie.StartsWith(cookieName + "=", StringComparison.Ordinal)) client.Cookie = cookie[(cookieName.Length + 1)..cookie.IndexOf(';')];
            }
        }
        var backend = response.Headers.TryGetValues("X-Backend", out var names) ? names.Single() : null;
        if (response.IsSuccessStatusCode && backend is not null) client.Backends.Add(backend);
        return (response.StatusCode, backend);
    }

    public async Task<double> MetricAsync(int replica, string series) =>
        PrometheusText.Value(await Replicas[replica].Ingress.MetricsAsync(), series) ?? 0;

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Replicas.Count; i++)
        {
            if (!_stopped.Contains(i)) await Replicas[i].Ingress.DisposeAsync();
        }
        foreach (var backend in _backends) await backend.DisposeAsync();
    }
}
