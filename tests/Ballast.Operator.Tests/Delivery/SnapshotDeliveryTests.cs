using Ballast.Ingress.Sources;
using Ballast.Model.Snapshots;
using Ballast.Operator.Delivery;
using Ballast.Operator.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Operator.Tests.Delivery;

[Trait("Category", "Integration")]
public sealed class SnapshotDeliveryTests
{
    [Fact]
    public async Task A_poll_with_nothing_newer_waits_then_says_not_modified_and_a_publish_releases_it()
    {
        var clock = new FakeTimeProvider();
        var hub = new SnapshotHub(clock);
        hub.Publish(new Snapshot { Version = 5, ContentHash = "h5" });
        Assert.NotNull(await hub.WaitNewerAsync(4, null, TimeSpan.FromSeconds(30), default));

        var waiting = hub.WaitNewerAsync(5, "h5", TimeSpan.FromSeconds(30), default);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        var released = hub.WaitNewerAsync(5, "h5", TimeSpan.FromSeconds(30), default);
        hub.Publish(new Snapshot { Version = 6, ContentHash = "h6" });
        Assert.NotNull(await released.WaitAsync(TimeSpan.FromSeconds(5)));
        // A restarted operator numbers afresh: a different hash is news even at a lower version.
        Assert.NotNull(await hub.WaitNewerAsync(100, "h5", TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task The_replica_client_applies_reports_persists_and_restarts_from_its_last_good_file_when_the_operator_is_away()
    {
        await using var f = await OperatorFixture.StartAsync();
        await f.ApplySamplesAsync();
        await f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false));
        var published = await f.SnapshotWhereAsync(s => s.Pools.Any(p => p.Id == "shop/echo-v1" && p.Endpoints.Length == 1) && s.Listeners.Length == 1, "sample snapshot");
        var dir = Directory.CreateTempSubdirectory("ballast-replica-").FullName;
        var file = Path.Combine(dir, "last-good.json");
        var applied = new List<Snapshot>();
        Task Apply(Snapshot s, CancellationToken _) { applied.Add(s); return Task.CompletedTask; }

        using (var http = new HttpClient { BaseAddress = f.Operator.SnapshotUri })
        {
            var client = new SnapshotClient(http, "replica-1", OperatorFixture.Token, file, Apply, TimeProvider.System, NullLogger.Instance);
            Assert.True(await client.PollOnceAsync(default));
            // The operator may have published a newer snapshot since (a later reconcile of the same state):
            // the client gets the newest, which must hold what the test set up.
            Assert.True(applied[^1].Version >= published.Version);
            Assert.Contains(applied[^1].Pools, p => p.Id == "shop/echo-v1" && p.Endpoints.Length == 1);
            published = applied[^1];
            Assert.True(File.Exists(file));
            await f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Programmed", "True", "Programmed=True from the client's report");
        }

        await f.StopOperatorAsync();
        applied.Clear();
        using var nowhere = new HttpClient { BaseAddress = f.Operator.SnapshotUri };
        var restarted = new SnapshotClient(nowhere, "replica-1", OperatorFixture.Token, file, Apply, TimeProvider.System, NullLogger.Instance);
        Assert.True(await restarted.LoadLastGoodAsync(default));
        Assert.Equal(published.ContentHash, Assert.Single(applied).ContentHash);
        await Assert.ThrowsAsync<HttpRequestException>(() => restarted.PollOnceAsync(default)); // the operator is away
        Assert.Equal(published.Version, restarted.AppliedVersion);
        await f.StartOperatorAsync(); // so the fixture can dispose it
        Directory.Delete(dir, recursive: true);
    }
}
