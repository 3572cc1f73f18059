using Ballast.Ingress.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Runtime;

public sealed class RetryBudgetTests
{
    [Fact]
    public void Retries_stay_within_the_budget_share_of_normal_requests_plus_the_floor()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(20, time, minRetriesPerWindow: 5);
        var granted = 0;
        for (var i = 0; i < 1000; i++)
        {
            budget.RecordRequest();
            // Every request fails and asks for up to 3 retries.
            for (var r = 0; r < 3 && budget.TryAcquireRetry(); r++)
            {
                granted++;
            }
        }

        Assert.Equal(granted, budget.TotalRetries);
        Assert.InRange(granted, 200, 200 + 5);
        Assert.True(budget.TotalRefused > 0);
    }

    [Fact]
    public void A_quiet_route_can_still_retry_up_to_the_floor()
    {
        var budget = new RetryBudget(20, new FakeTimeProvider(), minRetriesPerWindow: 3);
        budget.RecordRequest();
        Assert.True(budget.TryAcquireRetry());
        Assert.True(budget.TryAcquireRetry());
        Assert.True(budget.TryAcquireRetry());
        Assert.False(budget.TryAcquireRetry());
    }

    [Fact]
    public void Old_traffic_stops_earning_budget_once_it_leaves_the_window()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(50, time, TimeSpan.FromSeconds(10), minRetriesPerWindow: 0);
        for (var i = 0; i < 100; i++)
        {
            budget.RecordRequest();
        }

        Assert.True(budget.TryAcquireRetry());
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(budget.TryAcquireRetry());
        budget.RecordRequest();
        budget.RecordRequest();
        Assert.True(budget.TryAcquireRetry());
        Assert.False(budget.TryAcquireRetry());
    }

    [Fact]
    public async Task Concurrent_retries_cannot_overshoot_the_budget()
    {
        var budget = new RetryBudget(10, new FakeTimeProvider(), minRetriesPerWindow: 0);
        for (var i = 0; i < 10_000; i++)
        {
            budget.RecordRequest();
        }

        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                if (budget.TryAcquireRetry())
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));
        Assert.Equal(1000, granted);
    }
}
