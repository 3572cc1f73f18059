using Ballast.Ingress.Health;

namespace Ballast.Ingress.Tests.Health;

public sealed class ActiveHealthTrackerTests
{
    [Fact]
    public void Goes_down_after_exactly_unhealthy_threshold_failures_and_up_after_healthy_threshold_passes()
    {
        var tracker = new ActiveHealthTracker(unhealthyThreshold: 3, healthyThreshold: 2, healthy: true, confirmed: true);
        Assert.False(tracker.Record(false));
        Assert.False(tracker.Record(false));
        Assert.True(tracker.Healthy);
        Assert.True(tracker.Record(false));
        Assert.False(tracker.Healthy);

        Assert.False(tracker.Record(true));
        Assert.False(tracker.Healthy);
        Assert.True(tracker.Record(true));
        Assert.True(tracker.Healthy);
    }

    [Fact]
    public void A_pass_resets_the_failure_run_and_a_failure_resets_the_pass_run()
    {
        var tracker = new ActiveHealthTracker(3, 3, healthy: true, confirmed: true);
        tracker.Record(false);
        tracker.Record(false);
        tracker.Record(true);
        tracker.Record(false);
        tracker.Record(false);
        Assert.True(tracker.Healthy); // 2 + 2 failures, never 3 in a row

        tracker.Record(false);
        Assert.False(tracker.Healthy);
        tracker.Record(true);
        tracker.Record(true);
        tracker.Record(false);
        tracker.Record(true);
        tracker.Record(true);
        Assert.False(tracker.Healthy); // 2 + 2 passes, never 3 in a row
        tracker.Record(true);
        Assert.True(tracker.Healthy);
    }

    [Fact]
    public void An_unconfirmed_new_endpoint_goes_down_at_its_first_failed_probe()
    {
        var tracker = new ActiveHealthTracker(3, 2);
        Assert.True(tracker.Healthy);
        Assert.True(tracker.Record(false));
        Assert.False(tracker.Healthy);
    }

    [Fact]
    public void Once_confirmed_by_a_pass_the_full_threshold_applies()
    {
        var tracker = new ActiveHealthTracker(3, 2);
        tracker.Record(true);
        tracker.Record(false);
        tracker.Record(false);
        Assert.True(tracker.Healthy);
        tracker.Record(false);
        Assert.False(tracker.Healthy);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Thresholds_below_one_are_rejected_naming_the_field(int unhealthy, int healthy)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ActiveHealthTracker(unhealthy, healthy));
        Assert.Contains("healthCheck.active.", e.Message);
    }
}
