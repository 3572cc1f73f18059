using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Forwarding;

/// <summary>
/// Where one request goes after failed attempts, on a real pool and balancer: a replay (nothing reached a backend,
/// or a reset before any response byte) goes to every other endpoint once and takes no budget or attempt; a retry
/// (the backend answered 503) stays within <c>retries.attempts</c> and the budget.
/// </summary>
public sealed class RetryAttemptTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<PoolRuntime> _pools = [];

    private PoolRuntime Pool(int endpoints, LoadBalancingAlgorithm algorithm = LoadBalancingAlgorithm.RoundRobin)
    {
        var pool = new PoolRuntime(new PoolSnapshot
        {
            Id = "ns/p",
            LoadBalancing = new LoadBalancingSnapshot { Algorithm = algorithm },
            Endpoints = [.. Enumerable.Range(1, endpoints).Select(i => new EndpointSnapshot { Host = "10.0.0." + i, Port = 80 })],
        }, (e, lb) => LoadBalancerRegistry.Create(e, lb, new Random(1)), new IngressMetrics());
        _pools.Add(pool);
        return pool;
    }

    private RouteRetry Retry(RetrySnapshot? policy = null) => new(policy ?? RetrySnapshot.Default, _time, metrics: null, "r");

    private static RetryAttempt Start(PoolRuntime pool, RouteRetry retry, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        return new RetryAttempt(context, retry, pool, PickContext.None, pool.Balancer.Pick(PickContext.None)!, body: null, retry.Time.GetTimestamp());
    }

    /// <summary>What the forwarding loop does between two attempts: the planned one becomes the current one.</summary>
    private static EndpointState Send(RetryAttempt attempt)
    {
        attempt.StartAttempt();
        attempt.Current = attempt.Next!;
        attempt.Retries++;
        attempt.EndAttempt();
        return attempt.Current;
    }

    /// <summary>Every attempt fails with <paramref name="outcome"/>: the endpoints the request was sent to, in order.</summary>
    private static List<EndpointState> FailEveryAttempt(RetryAttempt attempt, AttemptOutcome outcome)
    {
        var sentTo = new List<EndpointState> { attempt.Current };
        while (sentTo.Count < 100 && attempt.TryPlan(outcome)) sentTo.Add(Send(attempt)); // 100: a bug must fail, not hang
        attempt.ReleaseSlots();
        return sentTo;
    }

    public static TheoryData<LoadBalancingAlgorithm> Algorithms => [.. Enum.GetValues<LoadBalancingAlgorithm>()];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_connect_failure_is_replayed_to_every_other_endpoint_once_then_given_up(LoadBalancingAlgorithm algorithm)
    {
        var pool = Pool(5, algorithm);
        var retry = Retry(); // the default: attempts 1
        var attempt = Start(pool, retry);

        var sentTo = FailEveryAttempt(attempt, AttemptOutcome.ConnectFailure);

        Assert.Equal(5, sentTo.Count); // the bound: the pool's size …
        Assert.Equal(5, sentTo.Distinct().Count()); // … each endpoint once
        Assert.Equal(RetryVerdict.NoOtherEndpoint, attempt.LastVerdict);
        Assert.Equal(0, attempt.ChargedRetries);
        Assert.Equal(0, retry.Budget.TotalRetries);
    }

    [Fact]
    public void A_get_reset_before_any_response_byte_is_replayed_the_same_way()
    {
        var pool = Pool(3);
        var retry = Retry();
        var attempt = Start(pool, retry);

        var sentTo = FailEveryAttempt(attempt, AttemptOutcome.ResetBeforeResponse);

        Assert.Equal(3, sentTo.Distinct().Count());
        Assert.Equal(3, sentTo.Count);
        Assert.Equal(0, retry.Budget.TotalRetries);
    }

    [Fact]
    public void A_post_reset_before_any_response_byte_is_not_sent_again()
    {
        var pool = Pool(3);
        var attempt = Start(pool, Retry(), method: "POST");

        Assert.Single(FailEveryAttempt(attempt, AttemptOutcome.ResetBeforeResponse));
        Assert.Equal(RetryVerdict.NonIdempotentMethod, attempt.LastVerdict);
    }

    [Fact]
    public void Replays_take_no_budget_even_when_it_is_spent()
    {
        var retry = Retry(RetrySnapshot.Default with { BudgetPercent = 0 });
        while (retry.Budget.TryAcquireRetry()) { } // the floor of 10 per window used up: no retry may pay
        var attempt = Start(Pool(4), retry);

        Assert.Equal(4, FailEveryAttempt(attempt, AttemptOutcome.ResetBeforeResponse).Count);
    }

    [Fact]
    public void A_503_is_a_retry_bounded_by_the_routes_attempts_and_paid_from_the_budget()
    {
        var retry = Retry(new RetrySnapshot { Attempts = 2, On = RetryOn.Status503 | RetryOn.ConnectFailure });
        var attempt = Start(Pool(5), retry);

        var sentTo = FailEveryAttempt(attempt, AttemptOutcome.Response(503));

        Assert.Equal(3, sentTo.Count); // the first try and two retries, though three endpoints were never tried
        Assert.Equal(RetryVerdict.AttemptsExhausted, attempt.LastVerdict);
        Assert.Equal(2, attempt.ChargedRetries);
        Assert.Equal(2, retry.Budget.TotalRetries);
    }

    [Fact]
    public void Replays_leave_the_routes_attempts_to_the_failures_that_reached_a_backend()
    {
        var retry = Retry(new RetrySnapshot { Attempts = 1, On = RetryOn.Status503 | RetryOn.ConnectFailure | RetryOn.Reset });
        var attempt = Start(Pool(4), retry);

        Assert.True(attempt.TryPlan(AttemptOutcome.ConnectFailure));
        Send(attempt);
        Assert.True(attempt.TryPlan(AttemptOutcome.ResetBeforeResponse));
        Send(attempt);
        Assert.True(attempt.TryPlan(AttemptOutcome.Response(503))); // the one attempt is still there
        Send(attempt);
        Assert.False(attempt.TryPlan(AttemptOutcome.Response(503)));
        Assert.Equal(RetryVerdict.AttemptsExhausted, attempt.LastVerdict);
        Assert.Equal(1, retry.Budget.TotalRetries);
    }

    [Fact]
    public void A_replay_after_a_reload_goes_to_the_pools_new_endpoint_even_past_a_stopped_one()
    {
        // A rollout: the request started on v1; the pool was rewritten to v2, which stopped too, then to v3.
        var pool = Pool(1);
        var attempt = Start(pool, Retry());
        var v1 = attempt.Current;
        Assert.False(attempt.TryPlan(AttemptOutcome.ConnectFailure)); // alone in its pool: nowhere to go
        Assert.Equal(RetryVerdict.NoOtherEndpoint, attempt.LastVerdict);

        pool.Update(pool.Config with { Endpoints = [new EndpointSnapshot { Host = "10.0.1.2", Port = 80 }] });
        Assert.True(attempt.TryPlan(AttemptOutcome.ConnectFailure));
        var v2 = Send(attempt);
        pool.Update(pool.Config with { Endpoints = [new EndpointSnapshot { Host = "10.0.1.3", Port = 80 }] });
        Assert.True(attempt.TryPlan(AttemptOutcome.ResetBeforeResponse));
        var v3 = Send(attempt);

        Assert.Equal(["10.0.0.1:80", "10.0.1.2:80", "10.0.1.3:80"], new[] { v1, v2, v3 }.Select(e => e.Id));
    }

    [Fact]
    public void Replays_and_retries_stop_once_the_total_timeout_has_passed_since_the_first_attempt()
    {
        // Ten endpoints that each take a 2 s connect timeout to fail: the pool alone would allow nine replays (20 s).
        var retry = Retry(RetrySnapshot.Default with { Attempts = 3, On = RetryOn.ConnectFailure | RetryOn.Status503, TotalTimeout = TimeSpan.FromSeconds(5) });
        var attempt = Start(Pool(10), retry);
        var sentTo = 1;
        while (sentTo < 100)
        {
            _time.Advance(TimeSpan.FromSeconds(2)); // the attempt waits out its connect timeout
            if (!attempt.TryPlan(AttemptOutcome.ConnectFailure)) break;
            Send(attempt);
            sentTo++;
        }

        attempt.ReleaseSlots();
        Assert.Equal(3, sentTo); // started at 0 s, 2 s and 4 s; at 6 s nothing more starts
        Assert.Equal(RetryVerdict.TotalTimeoutPassed, attempt.LastVerdict);

        // Retries too, counted from the same first attempt, and with every attempt of the route left.
        var retrying = Start(Pool(10), retry);
        Assert.True(retrying.TryPlan(AttemptOutcome.Response(503)));
        Send(retrying);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(retrying.TryPlan(AttemptOutcome.Response(503)));
        Assert.Equal(RetryVerdict.TotalTimeoutPassed, retrying.LastVerdict);
        Assert.Equal(1, retrying.ChargedRetries);
        retrying.ReleaseSlots();
    }

    [Fact]
    public void A_zero_total_timeout_leaves_replays_bounded_by_the_pool_alone()
    {
        var retry = Retry(RetrySnapshot.Default with { TotalTimeout = TimeSpan.Zero });
        var attempt = Start(Pool(10), retry);
        var sentTo = 1;
        while (sentTo < 100)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            if (!attempt.TryPlan(AttemptOutcome.ConnectFailure)) break;
            Send(attempt);
            sentTo++;
        }

        attempt.ReleaseSlots();
        Assert.Equal(10, sentTo);
        Assert.Equal(RetryVerdict.NoOtherEndpoint, attempt.LastVerdict);
    }

    public void Dispose()
    {
        foreach (var pool in _pools) pool.Dispose();
    }
}
