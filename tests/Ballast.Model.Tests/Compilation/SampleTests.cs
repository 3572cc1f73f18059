using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Model.Yaml;
using Ballast.Testing;

namespace Ballast.Model.Tests.Compilation;

public class SampleTests
{
    private static CompileResult CompileSample(string name, long version = 1)
    {
        var loaded = ResourceLoader.LoadDirectory(RepoPaths.Of("samples", name));
        Assert.Empty(loaded.Diagnostics);
        return Compiler.Compile(new CompilerInput { Policies = loaded.Policies, Pools = loaded.Pools, Version = version });
    }

    [Fact]
    public void Quickstart_compiles_to_one_http_listener_with_a_route_to_three_echo_endpoints()
    {
        var r = CompileSample("quickstart", version: 7);
        Assert.Empty(r.Diagnostics);
        var s = r.Snapshot;
        Assert.Equal(7, s.Version);
        Assert.Matches("^[0-9a-f]{64}$", s.ContentHash);

        var listener = Assert.Single(s.Listeners);
        Assert.Equal(("http", "0.0.0.0", 8080, ListenerKind.Http), (listener.Name, listener.Address, listener.Port, listener.Kind));
        var route = Assert.Single(listener.Routes);
        Assert.Equal("default/quickstart/all", route.Id);
        Assert.Equal((PathMatchKind.Prefix, "/"), (route.Match.PathKind, route.Match.Path));
        Assert.Equal([new BackendSnapshot("default/echo", 1)], route.Backends.ToArray());

        var pool = Assert.Single(s.Pools);
        Assert.Equal("default/echo", pool.Id);
        Assert.Equal(LoadBalancingAlgorithm.RoundRobin, pool.LoadBalancing.Algorithm);
        Assert.Equal(["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"], pool.Endpoints.Select(e => e.Id));
        var health = Assert.IsType<ActiveHealthSnapshot>(pool.ActiveHealth);
        Assert.Equal((ActiveCheckKind.Http, "/health", "GET"), (health.Kind, health.Path, health.Method));
        Assert.Equal(TimeSpan.FromSeconds(2), health.Interval);
        Assert.Equal([new StatusRange(200, 200)], health.ExpectStatus.ToArray());

        var status = r.Statuses[new ResourceKey(BackendPool.KindName, "default", "echo")];
        Assert.Equal(3, status.Endpoints!.Ready);
        Assert.All(status.Conditions, c => Assert.Equal(ConditionStatus.True, c.Status));
    }

    [Fact]
    public void Canary_splits_90_10_with_a_header_override()
    {
        var r = CompileSample("canary");
        Assert.Empty(r.Diagnostics);
        var route = Assert.Single(Assert.Single(r.Snapshot.Listeners).Routes);
        Assert.Equal(8081, r.Snapshot.Listeners[0].Port);
        Assert.Equal([new BackendSnapshot("default/shop-v1", 90), new BackendSnapshot("default/shop-v2", 10)], route.Backends.ToArray());
        Assert.Equal(("default/shop-v2", "X-Canary", "always"), (route.Canary!.PoolId, route.Canary.HeaderName, route.Canary.HeaderValue));
        Assert.Equal(RetryOn.ConnectFailure | RetryOn.Status503, route.Retries!.On);
        var split = Assert.Single(r.Statuses[new ResourceKey(LoadBalancerPolicy.KindName, "default", "canary")].Splits);
        Assert.Equal("shop-v1=90,shop-v2=10", split.Split);
    }

    [Fact]
    public void The_same_input_gives_the_same_hash_and_a_change_gives_another()
    {
        var a = CompileSample("quickstart", version: 1).Snapshot;
        var b = CompileSample("quickstart", version: 2).Snapshot;
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, CompileSample("canary").Snapshot.ContentHash);
    }
}
