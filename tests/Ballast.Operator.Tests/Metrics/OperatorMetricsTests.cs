using Ballast.Operator.Tests.Support;
using Ballast.Testing;

namespace Ballast.Operator.Tests.Metrics;

/// <summary>The operator's /metrics, scraped over HTTP from the metrics listener while it runs against the emulator.</summary>
[Trait("Category", "Integration")]
public sealed class OperatorMetricsTests : IAsyncLifetime
{
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync();
    public async Task DisposeAsync() => await _f.DisposeAsync();

    private async Task<string> ScrapeAsync(OperatorHost op)
    {
        using var http = new HttpClient { BaseAddress = op.MetricsUri };
        return await http.GetStringAsync("/metrics");
    }

    [Fact]
    public async Task The_leader_reports_leadership_the_published_version_each_replica_s_version_reconciles_and_status_writes()
    {
        await _f.ApplySamplesAsync();
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false));
        await _f.SetEndpointsAsync("shop", "echo-v2", ("10.0.1.1", true, true, false));
        await _f.SnapshotWhereAsync(s => s.Listeners.Length == 1 && s.Pools.Length == 2, "the samples compiled");
        var applied = await _f.FakeReplicaAppliesAsync("replica-1");
        await Eventually.True(() => _f.Operator.Controller.StatusWrites > 0 && _f.Operator.Elector.IsLeader, "status written by the leader");

        var before = _f.Operator.Hub.Current.Version;
        var text = await ScrapeAsync(_f.Operator);
        var after = _f.Operator.Hub.Current.Version; // an endpoint or status change may publish in between
        Assert.Equal(1, PrometheusScrape.Value(text, "ballast_operator_leader"));
        Assert.InRange(PrometheusScrape.Value(text, "ballast_operator_snapshot_version") ?? 0, before, after);
        Assert.Equal(1, PrometheusScrape.Value(text, "ballast_operator_connected_replicas"));
        Assert.Equal(applied.Version, PrometheusScrape.Value(text, "ballast_operator_replica_snapshot_version{replica=\"replica-1\"}"));
        Assert.True(PrometheusScrape.Value(text, "ballast_operator_reconciles_total{kind=\"compile\"}") >= 1);
        Assert.True(PrometheusScrape.Value(text, "ballast_operator_reconciles_total{kind=\"status\"}") >= 1);
        Assert.True(PrometheusScrape.Value(text, "ballast_operator_reconcile_duration_seconds_count{kind=\"compile\"}") >= 1);
        Assert.NotNull(PrometheusScrape.Value(text, "ballast_operator_reconcile_errors_total{kind=\"status\"}")); // 409s under load are legitimate
        Assert.True(PrometheusScrape.Value(text, "ballast_operator_status_writes_total") >= 1);
        Assert.True(PrometheusScrape.Value(text, "ballast_operator_status_writes_total") <= _f.Operator.Controller.StatusWrites);
        Assert.Equal(_f.Operator.Controller.Slices.Lists, PrometheusScrape.Value(text, "ballast_operator_relists_total{resource=\"endpointslices\"}"));
        Assert.True(_f.Operator.Controller.Slices.Lists >= 1);
        Assert.NotNull(PrometheusScrape.Value(text, "ballast_operator_workqueue_depth"));
    }

    [Fact]
    public async Task Process_and_runtime_metrics_are_on_the_operator_scrape_too()
    {
        var text = await ScrapeAsync(_f.Operator);
        foreach (var series in new[] { "process_cpu_seconds_total", "process_working_set_bytes", "dotnet_collection_count_total{generation=\"0\"}",
                     "system_runtime_dotnet_gc_heap_total_allocated", "system_runtime_dotnet_thread_pool_thread_count" })
            Assert.True(PrometheusScrape.Value(text, series) is not null, $"{series} missing from the operator's /metrics");
    }

    [Fact]
    public async Task A_replica_that_stops_polling_leaves_the_scrape()
    {
        await _f.ApplySamplesAsync();
        await _f.SnapshotWhereAsync(s => s.Listeners.Length == 1, "the samples compiled");
        await _f.FakeReplicaAppliesAsync("replica-gone");
        Assert.NotNull(PrometheusScrape.Value(await ScrapeAsync(_f.Operator), "ballast_operator_replica_snapshot_version{replica=\"replica-gone\"}"));

        _f.Operator.Hub.ConnectedWindow = TimeSpan.Zero; // every replica is now "not heard from recently"
        var text = await ScrapeAsync(_f.Operator);
        Assert.Null(PrometheusScrape.Value(text, "ballast_operator_replica_snapshot_version{replica=\"replica-gone\"}"));
        Assert.Equal(0, PrometheusScrape.Value(text, "ballast_operator_connected_replicas"));
    }

    [Fact]
    public async Task A_standby_reports_no_leadership_and_a_dropped_watch_counts_as_a_restart()
    {
        await using var standby = await OperatorHost.StartAsync(OperatorFixture.Options(_f.Cluster, identity: "op-2"));
        await Eventually.True(() => _f.Operator.Elector.IsLeader, "op-1 leads");
        await Eventually.True(() => standby.Controller.Slices.Lists > 0, "the standby listed");
        Assert.Equal(0, PrometheusScrape.Value(await ScrapeAsync(standby), "ballast_operator_leader"));

        // Dropped on every probe: the standby's watch may not be open yet the first time.
        await Eventually.GetAsync(() => { _f.Cluster.Api.DropAllWatches(); return ScrapeAsync(standby); },
            t => PrometheusScrape.Value(t, "ballast_operator_watch_restarts_total{resource=\"endpointslices\"}") >= 1, "a watch restart on the standby's scrape");
    }
}
