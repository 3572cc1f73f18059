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
    public void A_get_that_failed_on_connect_is_retried()
    {
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
    }

    [Fact]
    public void A_post_whose_body_was_sent_is_not_retried_even_when_the_route_opts_in()
    {
        var optIn = Policy with { NonIdempotent = true };
        Assert.Equal(RetryVerdict.BodyAlreadySent, RetryDecision.Decide(optIn, "POST", 0, AttemptOutcome.Reset, requestBodyStarted: true, false));
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(optIn, "POST", 0, AttemptOutcome.ConnectFailure, requestBodyStarted: false, false));
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
    public void Any_method_that_never_connected_is_retried_since_nothing_reached_a_backend()
    {
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "POST", 0, AttemptOutcome.ConnectFailure, false, false));
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "PATCH", 0, AttemptOutcome.ConnectFailure, false, false));
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
        Assert.Equal(RetryVerdict.Retry, RetryDecision.Decide(Policy, "GET", 1, AttemptOutcome.ConnectFailure, false, false));
        Assert.Equal(RetryVerdict.AttemptsExhausted, RetryDecision.Decide(Policy, "GET", 2, AttemptOutcome.ConnectFailure, false, false));
    }

    [Fact]
    public void Nothing_is_retried_once_the_response_started_or_without_a_policy()
    {
        Assert.Equal(RetryVerdict.ResponseStarted, RetryDecision.Decide(Policy, "GET", 0, AttemptOutcome.Reset, false, responseStarted: true));
        Assert.Equal(RetryVerdict.NoPolicy, RetryDecision.Decide(null, "GET", 0, AttemptOutcome.ConnectFailure, false, false));
    }
}
