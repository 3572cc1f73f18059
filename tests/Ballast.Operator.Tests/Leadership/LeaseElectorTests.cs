using Ballast.Operator.Leadership;
using Ballast.Operator.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Operator.Tests.Leadership;

/// <summary>Two candidates on one Lease in the emulator, with a fake clock that the test moves.</summary>
[Trait("Category", "Integration")]
public sealed class LeaseElectorTests : IAsyncLifetime
{
    private EmulatedCluster _cluster = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync() => _cluster = await EmulatedCluster.StartAsync();
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private LeaseElector Candidate(string id) =>
        new(_cluster.NewClient(), "default", "ballast-operator", id, _clock, NullLogger.Instance) { LeaseDuration = TimeSpan.FromSeconds(15) };

    [Fact]
    public async Task One_leads_and_the_standby_takes_over_only_after_the_lease_runs_out()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        Assert.True(await a.TryAcquireOrRenewAsync(default));
        Assert.False(await b.TryAcquireOrRenewAsync(default));

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireOrRenewAsync(default)); // renewal
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await b.TryAcquireOrRenewAsync(default)); // renewed 10 s ago: still a's

        // a stops renewing after its renewal at t=10 s (stopped or partitioned): b leads from t=25 s, not before.
        _clock.Advance(TimeSpan.FromSeconds(4)); // t=24 s
        Assert.False(await b.TryAcquireOrRenewAsync(default));
        _clock.Advance(TimeSpan.FromSeconds(1)); // t=25 s
        Assert.True(await b.TryAcquireOrRenewAsync(default));
        Assert.True(b.IsLeader);

        var lease = await _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("ballast-operator", "default");
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);

        Assert.False(await a.TryAcquireOrRenewAsync(default)); // a comes back and finds b holding it
        Assert.False(a.IsLeader);
    }

    [Fact]
    public async Task Two_operators_elect_one_leader_and_the_other_leads_after_the_first_stops()
    {
        await using var first = await OperatorHost.StartAsync(OperatorFixture.Options(_cluster, "op-1"));
        await Eventually.True(() => first.Elector.IsLeader, "op-1 leads");
        await using var second = await OperatorHost.StartAsync(OperatorFixture.Options(_cluster, "op-2"));
        await Task.WhenAll(second.Controller.Pools.Synced, second.Controller.Policies.Synced);
        Assert.False(second.Elector.IsLeader);

        var stoppedAt = DateTime.UtcNow;
        await first.DisposeAsync();
        await Eventually.True(() => second.Elector.IsLeader, "op-2 takes over", within: TimeSpan.FromSeconds(10));
        var options = OperatorFixture.Options(_cluster);
        Assert.True(DateTime.UtcNow - stoppedAt <= options.LeaseDuration + options.RetryPeriod + TimeSpan.FromSeconds(1),
            "the standby took over within the lease duration (plus one retry period)");
    }
}
