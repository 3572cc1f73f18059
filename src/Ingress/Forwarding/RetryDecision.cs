using Ballast.Ingress.Health;
using Ballast.Ingress.Http;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Forwarding;

/// <summary>Why an attempt is or is not retried (the first value retries; the others say why not).</summary>
public enum RetryVerdict
{
    Retry,
    /// <summary>The route has no retry policy.</summary>
    NoPolicy,
    /// <summary>The attempt succeeded, or its outcome is not in the route's <c>retries.on</c>.</summary>
    NotRetriable,
    /// <summary>The route's <c>retries.attempts</c> are used up.</summary>
    AttemptsExhausted,
    /// <summary>POST, PATCH … and the route did not opt in with <c>nonIdempotent</c>.</summary>
    NonIdempotentMethod,
    /// <summary>Part of the request body was already sent: it cannot be replayed.</summary>
    BodyAlreadySent,
    /// <summary>Bytes of the response already went to the client.</summary>
    ResponseStarted,
    /// <summary>The client went away.</summary>
    Cancelled,
    /// <summary>The pool's circuit breaker already has <c>maxRetries</c> retries in flight.</summary>
    PoolRetryLimit,
}

/// <summary>
/// Whether a failed attempt may be retried (to a different endpoint). Pure. <c>retries.attempts</c> counts
/// retries after the first attempt (Istio's and Envoy's meaning), so <c>attempts: 2</c> means up to three tries.
/// Idempotent methods (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE) retry freely; others only when
/// the route opts in, or when the attempt never connected (nothing reached a backend). Whatever the method, a request whose body has started to stream is never replayed, and
/// nothing is retried once the response has started. The retry budget is checked by the caller after a
/// <see cref="RetryVerdict.Retry"/>.
/// </summary>
public static class RetryDecision
{
    public static RetryVerdict Decide(
        RetrySnapshot? policy,
        string method,
        int retriesSoFar,
        AttemptOutcome outcome,
        bool requestBodyStarted,
        bool responseStarted)
    {
        if (policy is null || policy.Attempts <= 0 || policy.On == RetryOn.None)
        {
            return RetryVerdict.NoPolicy;
        }

        if (outcome.Kind == AttemptOutcomeKind.Cancelled)
        {
            return RetryVerdict.Cancelled;
        }

        if (!Matches(policy.On, outcome))
        {
            return RetryVerdict.NotRetriable;
        }

        if (responseStarted)
        {
            return RetryVerdict.ResponseStarted;
        }

        if (retriesSoFar >= policy.Attempts)
        {
            return RetryVerdict.AttemptsExhausted;
        }

        // A connect failure sent nothing: retrying it cannot repeat a side effect, whatever the method.
        if (!policy.NonIdempotent && !IdempotentMethods.Contains(method) && outcome.Kind != AttemptOutcomeKind.ConnectFailure)
        {
            return RetryVerdict.NonIdempotentMethod;
        }

        if (requestBodyStarted)
        {
            return RetryVerdict.BodyAlreadySent;
        }

        return RetryVerdict.Retry;
    }

    /// <summary>Whether the outcome is one of the conditions in <c>retries.on</c>.</summary>
    public static bool Matches(RetryOn on, AttemptOutcome outcome) => outcome.Kind switch
    {
        AttemptOutcomeKind.ConnectFailure => (on & RetryOn.ConnectFailure) != 0,
        AttemptOutcomeKind.Reset => (on & RetryOn.Reset) != 0,
        AttemptOutcomeKind.Timeout => (on & RetryOn.Timeout) != 0,
        AttemptOutcomeKind.Response => outcome.StatusCode switch
        {
            502 => (on & RetryOn.Status502) != 0,
            503 => (on & RetryOn.Status503) != 0,
            504 => (on & RetryOn.Status504) != 0,
            _ => false,
        },
        _ => false,
    };
}
