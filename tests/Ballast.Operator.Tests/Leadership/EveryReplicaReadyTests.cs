using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Leadership;

/// <summary>
/// Issue 17: two operator replicas are both ready once their caches synced (a two-replica Deployment becomes
/// Available); only the work waits for the Lease; a replica whose requests reach the standby gets the leader's
/// snapshot and counts for Programmed (the standby passes its requests on to the leader); the leader killed, the
/// other takes the Lease and reconciles.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EveryReplicaReadyTests : IAsyncLifetime
{
    private OperatorFixture _f = null!;
    private OperatorHost _second = null!;

    public async Task InitializeAsync()
    {
        _f = await OperatorFixture.StartAsync();
        await Eventually.True(() => _f.Operator.Elector.IsLeader, "op-1 leads");
        _second = await OperatorHost.StartAsync(OperatorFixture.Options(_f.Cluster, "op-2"));
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _f.DisposeAsync();
    }

    private static async Task<HttpStatusCode> ReadyzAsync(OperatorHost op)
    {
        using var http = new HttpClient { BaseAddress = op.SnapshotUri };
        using var response = await http.GetAsync("/readyz");
        return response.StatusCode;
    }

    private Task<System.Text.Json.Nodes.JsonObject> PolicyWhereAsync(string condition, string status, string what) =>
        _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", condition, status, what);

    [Fact]
    public async Task Both_replicas_are_ready_after_sync_a_replica_on_the_standby_counts_and_the_survivor_takes_over()
    {
        await Eventually.GetAsync(() => ReadyzAsync(_f.Operator), s => s == HttpStatusCode.OK, "the leader's /readyz 200");
        await Eventually.GetAsync(() => ReadyzAsync(_second), s => s == HttpStatusCode.OK, "the standby's /readyz 200");
        Assert.True(_f.Operator.Elector.IsLeader);
        Assert.False(_second.Elector.IsLeader);

        await _f.ApplySamplesAsync();
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false));
        await _f.SetEndpointsAsync("shop", "echo-v2", ("10.0.1.1", true, true, false));
        await PolicyWhereAsync("Accepted", "True", "policy Accepted=True");
        Assert.Equal(0, _second.Controller.StatusWrites); // the standby does none of the work

        // An ingress replica whose requests the Service sent to the standby: it gets the leader's snapshot (one
        // numbering, the leader's ACME certificates), and the leader hears its report and writes Programmed.
        var leaders = await _f.SnapshotWhereAsync(s => s.Pools.Length == 2 && s.Pools.All(p => p.Endpoints.Length == 1), "the leader's snapshot with both pools");
        var fromStandby = await FetchAsync(_second);
        Assert.Equal(leaders.Version, fromStandby.Version);
        await ReplicaAppliesAsync(_second, "replica-1", fromStandby);
        await PolicyWhereAsync("Programmed", "True", "Programmed=True from a report sent to the standby");
        Assert.True(_second.LeaderProxy.Forwarded >= 2);
        Assert.Empty(_second.Hub.ConnectedReplicas()); // it went to the leader

        // The leader goes away: the survivor takes the Lease within its duration and does the work.
        var stoppedAt = DateTime.UtcNow;
        await _f.StopOperatorAsync();
        await Eventually.True(() => _second.Elector.IsLeader, "op-2 takes the Lease", within: TimeSpan.FromSeconds(10));
        var options = OperatorFixture.Options(_f.Cluster);
        Assert.True(DateTime.UtcNow - stoppedAt <= options.LeaseDuration + options.RetryPeriod + TimeSpan.FromSeconds(1));
        await _f.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"routes":[{"name":"echo","match":{"pathPrefix":"/"},"backends":[{"pool":"echo-v1","weight":1}]}]}}""", V1Patch.PatchType.MergePatch),
            "ballast.dev", "v1alpha1", "shop", "loadbalancerpolicies", "shop");
        var reconciled = await Eventually.GetAsync(() => _f.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => p["status"]?["observedGeneration"]?.GetValue<long>() == 2, "the new leader wrote the status of generation 2");
        Assert.True(_second.Controller.StatusWrites > 0);
        Assert.Equal("True", OperatorFixture.Condition(reconciled, "Accepted")!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await ReadyzAsync(_second));
    }

    private static async Task<Snapshot> FetchAsync(OperatorHost op)
    {
        using var http = new HttpClient { BaseAddress = op.SnapshotUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorFixture.Token);
        return (await http.GetFromJsonAsync<Snapshot>("/v1/snapshot?after=0&replica=replica-1", Ballast.Model.Serialization.ModelJson.Options))!;
    }

    /// <summary>An ingress replica's side against one operator replica: it fetched <paramref name="snapshot"/> there and says it applied it.</summary>
    private static async Task ReplicaAppliesAsync(OperatorHost op, string replica, Snapshot snapshot)
    {
        using var http = new HttpClient { BaseAddress = op.SnapshotUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorFixture.Token);
        (await http.PostAsJsonAsync($"/v1/replicas/{replica}", new { version = snapshot.Version })).EnsureSuccessStatusCode();
    }
}
