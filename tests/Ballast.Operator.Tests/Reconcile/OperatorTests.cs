using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Reconcile;

/// <summary>The operator in-process against the emulator, through the real KubernetesClient over HTTP.</summary>
[Trait("Category", "Integration")]
public sealed class OperatorTests : IAsyncLifetime
{
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync(historyLimit: 50);
    public async Task DisposeAsync() => await _f.DisposeAsync();

    private async Task ApplySamplesWithEndpointsAsync()
    {
        await _f.ApplySamplesAsync();
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false), ("10.0.0.2", true, true, false));
        await _f.SetEndpointsAsync("shop", "echo-v2", ("10.0.1.1", true, true, false));
    }

    private static PoolSnapshot? Pool(Snapshot s, string id) => s.Pools.FirstOrDefault(p => p.Id == id);

    [Fact]
    public async Task Applying_the_samples_gives_a_snapshot_with_the_canary_route_and_accepted_statuses_then_programmed()
    {
        await ApplySamplesWithEndpointsAsync();
        var snapshot = await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Length == 2 && Pool(s, "shop/echo-v2")?.Endpoints.Length == 1 && s.Listeners.Length == 1,
            "both pools with their endpoints");
        var route = Assert.Single(snapshot.Listeners[0].Routes);
        Assert.Equal([("shop/echo-v1", 90), ("shop/echo-v2", 10)], route.Backends.Select(b => (b.PoolId, b.Weight)));
        Assert.Equal("shop/echo-v2", route.Canary!.PoolId);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080"], Pool(snapshot, "shop/echo-v1")!.Endpoints.Select(e => e.Id));

        var policy = await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Accepted", "True", "policy Accepted=True");
        Assert.Equal("True", OperatorFixture.Condition(policy, "ResolvedRefs")!["status"]!.GetValue<string>());
        Assert.Equal(1, policy["status"]!["observedGeneration"]!.GetValue<long>());
        Assert.Equal("Unknown", OperatorFixture.Condition(policy, "Programmed")!["status"]!.GetValue<string>());
        Assert.Contains("echo-v2", policy["status"]!["splits"]![0]!["split"]!.GetValue<string>());
        var pool = await Eventually.GetAsync(() => _f.GetAsync("backendpools", "shop", "echo-v1"),
            p => p["status"]?["endpoints"]?["ready"]?.GetValue<int>() == 2, "pool status with 2 ready endpoints");
        Assert.Equal("True", OperatorFixture.Condition(pool, "Accepted")!["status"]!.GetValue<string>());

        await _f.FakeReplicaAppliesAsync("replica-1");
        await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Programmed", "True", "policy Programmed=True after the replica applied");
    }

    [Fact]
    public async Task An_invalid_edit_is_rejected_naming_the_field_and_the_previous_config_stays()
    {
        await ApplySamplesWithEndpointsAsync();
        var good = await _f.SnapshotWhereAsync(s => s.Listeners.Length == 1 && Pool(s, "shop/echo-v2")?.Endpoints.Length == 1, "the sample config");
        await _f.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"routes":[{"name":"echo","match":{"path":"no-leading-slash"},"backends":[{"pool":"echo-v1","weight":1}]}]}}""", V1Patch.PatchType.MergePatch),
            "ballast.dev", "v1alpha1", "shop", "loadbalancerpolicies", "shop");
        var policy = await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Accepted", "False", "policy Accepted=False");
        var accepted = OperatorFixture.Condition(policy, "Accepted")!;
        Assert.Contains("spec.routes[0].match.path", accepted["message"]!.GetValue<string>());
        Assert.Equal(2, accepted["observedGeneration"]!.GetValue<long>());
        Assert.Equal(good.ContentHash, _f.Operator.Hub.Current.ContentHash);
        Assert.Equal(1, _f.Operator.Hub.Current.Generations["LoadBalancerPolicy shop/shop"]);
    }

    [Fact]
    public async Task An_endpoint_that_turns_not_ready_leaves_and_a_terminating_serving_one_drains()
    {
        await ApplySamplesWithEndpointsAsync();
        await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Length == 2, "two endpoints");
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false), ("10.0.0.2", false, false, false));
        var after = await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Length == 1, "the not-ready endpoint gone");
        Assert.Equal("10.0.0.1", Pool(after, "shop/echo-v1")!.Endpoints[0].Host);

        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false), ("10.0.0.2", false, true, true));
        var draining = await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Any(e => e.Draining) == true, "a draining endpoint");
        Assert.Equal("10.0.0.2", Pool(draining, "shop/echo-v1")!.Endpoints.Single(e => e.Draining).Host);
        Assert.False(Pool(draining, "shop/echo-v1")!.Endpoints.Single(e => e.Host == "10.0.0.1").Draining);
    }

    [Fact]
    public async Task A_restarted_operator_publishes_the_same_content_and_writes_no_status()
    {
        await ApplySamplesWithEndpointsAsync();
        await Eventually.GetAsync(() => _f.GetAsync("backendpools", "shop", "echo-v2"),
            p => p["status"]?["endpoints"]?["ready"]?.GetValue<int>() == 1, "statuses written");
        await Eventually.GetAsync(() => _f.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorFixture.Condition(p, "Accepted") is not null, "policy status written");
        var before = _f.Operator.Hub.Current;
        var rvBefore = _f.Cluster.Api.Store.CurrentResourceVersion;
        await _f.StopOperatorAsync();

        await _f.StartOperatorAsync();
        await _f.SnapshotWhereAsync(s => s.Version > 0, "a snapshot after restart");
        await Eventually.True(() => _f.Operator.Controller.Compiles >= 1 && _f.Operator.Elector.IsLeader, "the new operator compiled and leads");
        // Let it finish a full pass with leadership (status keys queued and processed).
        _f.Operator.Controller.Kick();
        await Eventually.True(() => _f.Operator.Controller.Compiles >= 2, "a second pass");
        Assert.Equal(before.ContentHash, _f.Operator.Hub.Current.ContentHash);
        Assert.Equal(0, _f.Operator.Controller.StatusWrites);
        var leaseWrites = _f.Cluster.Api.Store.CurrentResourceVersion - rvBefore;
        var pools = await _f.Cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync("ballast.dev", "v1alpha1", "shop", "backendpools");
        Assert.DoesNotContain(((System.Text.Json.JsonElement)pools).GetProperty("items").EnumerateArray(),
            p => long.Parse(p.GetProperty("metadata").GetProperty("resourceVersion").GetString()!) > rvBefore);
        Assert.True(leaseWrites > 0); // only the lease moved
    }

    [Fact]
    public async Task After_dropped_watches_and_410_Gone_the_operator_relists_and_converges()
    {
        await ApplySamplesWithEndpointsAsync();
        await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Length == 2, "initial state");
        var listsBefore = _f.Operator.Controller.Slices.Lists;
        // A write no informer watches, then compaction through it: every version the informers hold is now too old
        // (without the write, an informer whose last bookmark carried the newest version could resume without 410).
        await _f.Cluster.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "version-bump" } }, "default");
        _f.Cluster.Api.Store.Compact();
        _f.Cluster.Api.DropAllWatches();           // and their streams end: they must re-watch, get 410, re-list
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false), ("10.0.0.2", true, true, false), ("10.0.0.3", true, true, false));
        await _f.SnapshotWhereAsync(s => Pool(s, "shop/echo-v1")?.Endpoints.Length == 3, "the change made while the watch was down");
        Assert.True(_f.Operator.Controller.Slices.Lists > listsBefore, "the informer re-listed after 410 Gone");
    }
}
