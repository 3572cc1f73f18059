namespace Ballast.Acme.Certificates;

/// <summary>When to renew and how long to back off after failures; pure arithmetic, no clock.</summary>
public sealed record RenewalPolicy
{
    /// <summary>Share of the lifetime after which a certificate is renewed (two thirds, as issue 8 asks).</summary>
    public double RenewAtFractionOfLifetime { get; init; } = 2.0 / 3.0;

    /// <summary>Back-off after the first failure; doubles with every further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Cap of the back-off (CAs rate-limit failed validations: Let's Encrypt 5 per hour per name).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromHours(4);

    public DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var lifetime = notAfter - notBefore;
        return notBefore + TimeSpan.FromTicks((long)(lifetime.Ticks * RenewAtFractionOfLifetime));
    }

    /// <summary>
    /// Exponential back-off with "equal jitter": half of the capped exponential delay is fixed, the other
    /// half random, so replicas/policies that failed together do not retry in lockstep, yet never retry at once.
    /// </summary>
    public TimeSpan Backoff(int consecutiveFailures, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveFailures, 1);
        var exponent = Math.Min(consecutiveFailures - 1, 30);
        var ticks = Math.Min((double)MaxBackoff.Ticks, InitialBackoff.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ticks / 2 + random.NextDouble() * ticks / 2));
    }
}
