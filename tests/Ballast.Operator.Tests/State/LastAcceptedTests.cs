using System.Net;
using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Tests.State;

/// <summary>
/// Issue 7: a rejected resource's last accepted spec survives an operator restart and reaches a standby, through
/// the ConfigMap the leader keeps beside its Lease (default/ballast-operator-last-accepted in these tests).
/// </summary>
[Trait("Category", "Integration")]
public sealed class LastAcceptedTests : IAsyncLifetime
{
    private const string ConfigMap = "ballast-operator-last-accepted";
    private const string PolicyEntry = "LoadBalancerPolicy.shop.shop";
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync();
    public async Task DisposeAsync() => await _f.DisposeAsync();

    /// <summary>The samples accepted (statuses written), then the policy edited so that its route match is invalid.</summary>
    private async Task<Snapshot> AcceptedThenRejectedAsync()
    {
        await _f.ApplySamplesAsync();
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false));
        await _f.SetEndpointsAsync("shop", "echo-v2", ("10.0.1.1", true, true, false));
        var good = await _f.SnapshotWhereAsync(s => s.Listeners is [{ Routes.Length: 1 }] && s.Pools.Length == 2 && s.Pools.All(p => p.Endpoints.Length == 1),
            "the sample config, both pools with their endpoint");
        await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Accepted", "True", "policy Accepted=True");
        await PatchPolicyAsync("""{"spec":{"routes":[{"name":"echo","match":{"path":"no-leading-slash"},"backends":[{"pool":"echo-v1","weight":1}]}]}}""");
        await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Accepted", "False", "policy Accepted=False");
        await Eventually.GetAsync(StoredAsync, d => d.ContainsKey(PolicyEntry), "the policy's fallback stored");
        return good;
    }

    private Task PatchPolicyAsync(string mergePatch) => _f.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
        new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), "ballast.dev", "v1alpha1", "shop", "loadbalancerpolicies", "shop");

    /// <summary>The ConfigMap's entries as the API server holds them (empty when it does not exist).</summary>
    private async Task<IDictionary<string, string>> StoredAsync()
    {
        try { return (await _f.Cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(ConfigMap, "default")).Data ?? new Dictionary<string, string>(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return new Dictionary<string, string>(); }
    }

    /// <summary>A new operator on the same emulator, once it has made a full pass as leader (status keys processed); returns its first snapshot.</summary>
    private async Task<Snapshot> RestartAsync()
    {
        await _f.StopOperatorAsync();
        await _f.StartOperatorAsync();
        var first = await _f.SnapshotWhereAsync(s => s.Version > 0, "a snapshot after restart");
        await Eventually.True(() => _f.Operator.Controller.Compiles >= 1 && _f.Operator.Elector.IsLeader, "the new operator compiled and leads");
        var compiles = _f.Operator.Controller.Compiles;
        _f.Operator.Controller.Kick(); // a full pass as leader: every status key queued and processed
        await Eventually.True(() => _f.Operator.Controller.Compiles > compiles, "a pass as leader");
        await Eventually.True(() => _f.Operator.Controller.QueueDepth == 0, "its status keys processed");
        return first;
    }

    [Fact]
    public async Task After_a_restart_the_first_snapshot_still_routes_the_previous_spec_and_the_status_stays_rejected_without_writes()
    {
        var good = await AcceptedThenRejectedAsync();
        Assert.Equal(good.ContentHash, _f.Operator.Hub.Current.ContentHash);

        var first = await RestartAsync();
        Assert.Equal(good.ContentHash, first.ContentHash);
        Assert.Equal(1, first.Generations["LoadBalancerPolicy shop/shop"]);
        Assert.Equal(first.Version, _f.Operator.Hub.Current.Version); // never republished: the first one was right
        Assert.Equal(0, _f.Operator.Controller.StatusWrites);
        var accepted = OperatorFixture.Condition(await _f.GetAsync("loadbalancerpolicies", "shop", "shop"), "Accepted")!;
        Assert.Equal("False", accepted["status"]!.GetValue<string>());
        Assert.Contains("spec.routes[0].match", accepted["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_standby_started_after_the_bad_edit_publishes_the_leaders_content()
    {
        var good = await AcceptedThenRejectedAsync();
        await using var standby = await OperatorHost.StartAsync(OperatorFixture.Options(_f.Cluster, identity: "op-2"));
        var theirs = await Eventually.GetAsync(() => Task.FromResult(standby.Hub.Current), s => s.Version > 0, "the standby's snapshot");
        Assert.False(standby.Elector.IsLeader);
        Assert.Equal(good.ContentHash, theirs.ContentHash);
        Assert.Equal(_f.Operator.Hub.Current.ContentHash, theirs.ContentHash);
        Assert.Equal(0, standby.Controller.StatusWrites);
    }

    [Fact]
    public async Task A_resource_deleted_and_recreated_with_an_invalid_spec_does_not_get_its_predecessors_spec()
    {
        await AcceptedThenRejectedAsync();
        var oldUid = (await _f.GetAsync("loadbalancerpolicies", "shop", "shop"))["metadata"]!["uid"]!.GetValue<string>();
        await _f.StopOperatorAsync(); // no operator sees the deletion: the stale entry is still stored
        await _f.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("ballast.dev", "v1alpha1", "shop", "loadbalancerpolicies", "shop");
        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Parse("""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop, namespace: shop }
            spec:
              listeners: [ { name: http, port: 8080, protocol: HTTP } ]
              routes: [ { name: echo, match: { path: no-leading-slash }, backends: [ { pool: echo-v1 } ] } ]
            """));
        Assert.NotEqual(oldUid, (await _f.GetAsync("loadbalancerpolicies", "shop", "shop"))["metadata"]!["uid"]!.GetValue<string>());
        Assert.True((await StoredAsync()).ContainsKey(PolicyEntry));

        await _f.StartOperatorAsync();
        var snapshot = await _f.SnapshotWhereAsync(s => s.Version > 0, "a snapshot after restart");
        Assert.Empty(snapshot.Listeners);
        Assert.False(snapshot.Generations.ContainsKey("LoadBalancerPolicy shop/shop"));
        await Eventually.GetAsync(StoredAsync, d => d.Count == 0, "the stale entry removed by the leader");
        await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Accepted", "False", "the new policy rejected");
    }

    [Fact]
    public async Task Fixing_the_spec_removes_the_stored_entry()
    {
        await AcceptedThenRejectedAsync();
        await PatchPolicyAsync("""{"spec":{"routes":[{"name":"echo","match":{"pathPrefix":"/fixed"},"backends":[{"pool":"echo-v1","weight":1}]}]}}""");
        await Eventually.GetAsync(StoredAsync, d => d.Count == 0, "the entry removed");
        var snapshot = await _f.SnapshotWhereAsync(s => s.Generations.GetValueOrDefault("LoadBalancerPolicy shop/shop") == 3, "the fixed generation served");
        Assert.Equal("/fixed", Assert.Single(snapshot.Listeners[0].Routes).Match.Path);
    }
}
