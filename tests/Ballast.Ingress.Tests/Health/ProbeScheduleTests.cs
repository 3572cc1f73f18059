using Ballast.Ingress.Health;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Health;

public sealed class ProbeScheduleTests
{
    [Fact]
    public void Intervals_are_stretched_by_up_to_the_jitter_share_and_spread_by_the_random_source()
    {
        var check = new ActiveHealthSnapshot { Interval = TimeSpan.FromSeconds(10), JitterPercent = 20 };
        var random = new Random(7);
        var delays = Enumerable.Range(0, 1000).Select(_ => ProbeSchedule.Next(check, random.NextDouble())).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12)));
        Assert.True(delays.Distinct().Count() > 900, "jittered delays should differ");
        Assert.InRange(delays.Average(d => d.TotalSeconds), 10.9, 11.1);
    }

    [Fact]
    public void Two_replicas_seeded_differently_do_not_probe_in_lockstep()
    {
        var check = new ActiveHealthSnapshot { Interval = TimeSpan.FromSeconds(5), JitterPercent = 10 };
        var a = new Random(1);
        var b = new Random(2);
        var firstA = ProbeSchedule.First(check, a.NextDouble());
        var firstB = ProbeSchedule.First(check, b.NextDouble());
        Assert.NotEqual(firstA, firstB);
        Assert.InRange(firstA, TimeSpan.Zero, check.Interval);
        Assert.InRange(firstB, TimeSpan.Zero, check.Interval);
    }

    [Fact]
    public void Without_jitter_the_schedule_is_exact()
    {
        var check = new ActiveHealthSnapshot { Interval = TimeSpan.FromSeconds(3), JitterPercent = 0 };
        Assert.Equal(TimeSpan.Zero, ProbeSchedule.First(check, 0.9));
        Assert.Equal(TimeSpan.FromSeconds(3), ProbeSchedule.Next(check, 0.9));
    }
}
