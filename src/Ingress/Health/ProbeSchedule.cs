using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// When probes run. Each interval is stretched by a random share of up to <c>jitterPercent</c>, and the first
/// probe of an endpoint waits a random part of one interval, so the probers of one replica spread over the
/// interval and replicas (seeded differently) do not probe a backend in lockstep.
/// </summary>
public static class ProbeSchedule
{
    /// <summary>The delay before the next probe: <c>interval × (1 + u × jitter%)</c> with u uniform in [0, 1).</summary>
    public static TimeSpan Next(ActiveHealthSnapshot check, double unit)
    {
        var jitter = Math.Clamp(check.JitterPercent, 0, 100) / 100.0;
        return check.Interval + TimeSpan.FromTicks((long)(check.Interval.Ticks * jitter * Math.Clamp(unit, 0, 1)));
    }

    /// <summary>The delay before an endpoint's first probe: a uniform point in [0, interval) when jitter is on,
    /// zero (probe at once) when jitter is 0 so tests and users get exact schedules.</summary>
    public static TimeSpan First(ActiveHealthSnapshot check, double unit) =>
        check.JitterPercent <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)(check.Interval.Ticks * Math.Clamp(unit, 0, 1)));
}
