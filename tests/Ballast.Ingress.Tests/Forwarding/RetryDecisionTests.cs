using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Health;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

public sealed class RetryDecisionTests
{
    private static readonly RetrySnapshot Policy = new()
    {
        Attempts = 2,
        On = RetryOn.ConnectFailure | RetryOn.Reset | RetryOn.Status503,
    };

    [Fact]
    public void A_get_that_failed_on_connect_is_replayed()
    {
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
    }

    [Fact]
    public void Nothing_is_sent_again_once_the_total_timeout_has_passed()
    {
        var bounded = Policy with { TotalTimeout = TimeSpan.FromSeconds(10) };
        var justBefore = TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1);
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(bounded, "GET", 0, AttemptOutcome.ConnectFailure, false, false, justBefore));
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(bounded, "GET", 0, AttemptOutcome.Response(503), false, false, justBefore));
        Assert.Equal(RetryVerdict.TotalTimeoutPassed, RetryDecision.Decide(bounded, "GET", 0, AttemptOutcome.ConnectFailure, false, false, TimeSpan.FromSeconds(10)));
        Assert.Equal(RetryVerdict.TotalTimeoutPassed, RetryDecision.Decide(bounded, "GET", 0, AttemptOutcome.Response(503), false, false, TimeSpan.FromSeconds(11)));
        // Zero: no bound in time.
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(bounded with { TotalTimeout = TimeSpan.Zero }, "GET", 0, AttemptOutcome.ConnectFailure, false, false, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_post_whose_body_was_sent_is_not_retried_even_when_the_route_opts_in()
    {
        var optIn = Policy with { NonIdempotent = true };
        Assert.Equal(RetryVerdict.BodyAlreadySent, RetryDecision.Decide(optIn, "POST", 0, AttemptOutcome.Reset, requestBodyStarted: true, false));
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(optIn, "POST", 0, AttemptOutcome.ConnectFailure, requestBodyStarted: false, false));
    }

    [Fact]
    public void Non_idempotent_methods_that_reached_a_backend_need_the_route_to_opt_in()
    {
        Assert.Equal(RetryVerdict.NonIdempotentMethod, RetryDecision.Decide(Policy, "POST", 0, AttemptOutcome.Reset, false, false));
        Assert.Equal(RetryVerdict.NonIdempotentMethod, RetryDecision.Decide(Policy, "PATCH", 0, AttemptOutcome.Reset, false, false));
        Assert.Equal(RetryVerdict.NonIdempotentMethod, RetryDecision.Decide(Policy, "POST", 0, AttemptOutcome.Response(503), false, false));
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "PUT", 0, AttemptOutcome.Reset, false, false));
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "DELETE", 0, AttemptOutcome.Reset, false, false));
    }

    [Fact]
    public void Any_method_that_never_connected_is_replayed_since_nothing_reached_a_backend()
    {
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, "POST", 0, AttemptOutcome.ConnectFailure, false, false));
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, "PATCH", 0, AttemptOutcome.ConnectFailure, false, false));
    }

    [Fact]
    public void Only_the_listed_conditions_retry()
    {
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Response(503), false, false));
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Response(502), false, false));
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Response(500), false, false));
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Timeout, false, false));
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Response(200), false, false));
        Assert.Equal(RetryVerdict.Cancelled, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Cancelled, false, false));
    }

    [Fact]
    public void Attempts_count_retries_after_the_first_try()
    {
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "GET", 1, AttemptOutcome.Response(503), false, false));
        Assert.Equal(RetryVerdict.AttemptsExhausted, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.Response(503), false, false));
        Assert.Equal(RetryVerdict.AttemptsExhausted, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.Reset, false, false));
    }

    [Fact]
    public void A_reset_before_any_response_byte_of_a_request_safe_to_resend_is_replayed()
    {
        foreach (var method in new[] { "GET", "HEAD", "OPTIONS", "PUT", "DELETE" })
        {
            Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, method, 0, AttemptOutcome.ResetBeforeResponse, false, false));
        }
    }

    [Fact]
    public void A_reset_is_not_replayed_once_a_body_byte_left_or_the_response_head_arrived_or_for_a_post()
    {
        // A body byte sent: the backend may have acted on a part of it; never sent again, even on an idempotent method.
        Assert.Equal(RetryVerdict.BodyAlreadySent, RetryDecision.Decide(Policy, "PUT", 0, AttemptOutcome.ResetBeforeResponse, requestBodyStarted: true, false));
        // The response head had arrived (the reset came later): the backend answered, so this is a retry that pays.
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Reset, false, false));
        // A POST (even without a body) reached a backend that may have acted on it: nginx's non_idempotent rule.
        Assert.Equal(RetryVerdict.NonIdempotentMethod, RetryDecision.Decide(Policy, "POST", 0, AttemptOutcome.ResetBeforeResponse, false, false));
        // A route that opts in retries it, but from its attempts and budget.
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy with { NonIdempotent = true }, "POST", 0, AttemptOutcome.ResetBeforeResponse, false, false));
    }

    [Fact]
    public void Replays_take_none_of_the_routes_attempts()
    {
        // Two retries already sent (attempts: 2 used up): an attempt that reached nothing still goes on.
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.ConnectFailure, false, false));
        Assert.Equal(RetryVerdict.Replay, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.ResetBeforeResponse, false, false));
        Assert.Equal(RetryVerdict.AttemptsExhausted, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.Response(503), false, false));
    }

    [Fact]
    public void Replays_follow_the_routes_policy_all_the_same()
    {
        Assert.Equal(RetryVerdict.NoPolicy, RetryDecision.Decide(Policy with { Attempts = 0 }, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
        var statusesOnly = Policy with { On = RetryOn.Status503 };
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(statusesOnly, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
        Assert.Equal(RetryVerdict.NotRetriable, RetryDecision.Decide(statusesOnly, "GET", 0, AttemptOutcome.ResetBeforeResponse, false, false));
        Assert.Equal(RetryVerdict.ResponseStarted, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.ResetBeforeResponse, false, responseStarted: true));
    }

    [Fact]
    public void Only_failures_that_reached_no_backend_or_broke_before_the_response_are_replays()
    {
        Assert.True(RetryDecision.IsReplay("POST", AttemptOutcome.ConnectFailure, requestBodyStarted: false));
        Assert.True(RetryDecision.IsReplay("GET", AttemptOutcome.ResetBeforeResponse, requestBodyStarted: false));
        Assert.False(RetryDecision.IsReplay("GET", AttemptOutcome.ResetBeforeResponse, requestBodyStarted: true));
        Assert.False(RetryDecision.IsReplay("POST", AttemptOutcome.ResetBeforeResponse, requestBodyStarted: false));
        Assert.False(RetryDecision.IsReplay("GET", AttemptOutcome.Reset, requestBodyStarted: false));
        Assert.False(RetryDecision.IsReplay("GET", AttemptOutcome.Timeout, requestBodyStarted: false));
        Assert.False(RetryDecision.IsReplay("GET", AttemptOutcome.Response(503), requestBodyStarted: false));
        Assert.False(RetryDecision.IsReplay("GET", AttemptOutcome.Cancelled, requestBodyStarted: false));
    }

    [Fact]
    public void Nothing_is_retried_once_the_response_started_or_without_a_policy()
    {
        Assert.Equal(RetryVerdict.ResponseStarted, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Reset, false, responseStarted: true));
        Assert.Equal(RetryVerdict.NoPolicy, RetryDecision.Decide(null, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
    }
}
