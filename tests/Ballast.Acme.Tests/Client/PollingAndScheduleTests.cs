using System.Net.Http.Headers;
using Ballast.Acme.Certificates;
using Ballast.Acme.Client;

namespace Ballast.Acme.Tests.Client;

public sealed class PollingAndScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retry_after_in_seconds_is_honoured()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Wait(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Retry_after_as_a_date_waits_until_then_and_a_past_date_not_at_all()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Wait(new RetryConditionHeaderValue(Now.AddSeconds(30)), Now, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.Zero, RetryAfter.Wait(new RetryConditionHeaderValue(Now.AddSeconds(-30)), Now, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Retry_after_is_capped_and_absent_means_the_default_interval()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), RetryAfter.Wait(new RetryConditionHeaderValue(TimeSpan.FromHours(3)), Now, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(2), RetryAfter.Wait(null, Now, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Renewal_is_due_at_two_thirds_of_the_lifetime()
    {
        var policy = new RenewalPolicy();

        Assert.Equal(Now.AddDays(60), policy.RenewAt(Now, Now.AddDays(90)));
    }

    [Fact]
    public void Backoff_doubles_per_failure_within_equal_jitter_bounds_and_stops_at_the_cap()
    {
        var policy = new RenewalPolicy { InitialBackoff = TimeSpan.FromMinutes(1), MaxBackoff = TimeSpan.FromMinutes(16) };
        var random = new Random(42);

        for (var failures = 1; failures <= 8; failures++)
        {
            var full = TimeSpan.FromMinutes(Math.Min(16, Math.Pow(2, failures - 1)));
            var wait = policy.Backoff(failures, random);
            Assert.InRange(wait, full / 2, full);
        }
    }

    [Fact]
    public void Backoff_jitter_differs_between_managers_with_different_seeds()
    {
        var policy = new RenewalPolicy();
        var waits = Enumerable.Range(0, 5).Select(seed => policy.Backoff(3, new Random(seed))).Distinct().Count();

        Assert.Equal(5, waits);
    }
}
