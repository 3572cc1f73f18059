using Ballast.Ingress.Health;
using Ballast.Ingress.Http;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Forwarding;

/// <summary>Why an attempt is or is not retried (the first value retries; the others say why not).</summary>
public enum RetryVerdict
{
    /// <summary>Retry: the attempt reached a backend and failed after; takes one of <c>retries.attempts</c> and budget.</summary>
    Retry,
    /// <summary>
    /// Replay: nothing of the attempt could have had an effect to repeat (no connection, or a reset before any
    /// response byte of a request safe to resend). Sent to an endpoint not tried yet, outside the attempts and the
    /// budget; the pool bounds it (each endpoint once per request).
    /// </summary>
    Replay,
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
    /// <summary>The pool has no available endpoint left to try (a replay goes only to endpoints not tried yet).</summary>
    NoOtherEndpoint,
    /// <summary>The route's <c>retries.totalTimeout</c> has passed since the first attempt started: nothing more starts.</summary>
    TotalTimeoutPassed,
}

/// <summary>
/// Whether a failed attempt may be sent again (to a different endpoint), and on what terms. Pure.
/// <para>A <see cref="RetryVerdict.Replay"/> is an attempt whose failure left nothing to repeat: it never connected
/// (any method), or its connection broke before any byte of the response arrived while the request was safe to
/// resend (an idempotent method whose body, if any, had not started to stream; a WebSocket upgrade is a GET
/// without a body). That is nginx's <c>proxy_next_upstream error</c>: such a request goes on to every other
/// available endpoint of the pool, each at most once, without spending <c>retries.attempts</c> or the retry budget,
/// which is what keeps a rollout (an origin stopping under requests it had just taken) free of 502s.
/// <c>retries.totalTimeout</c> bounds replays and retries together in time: none starts once it has passed.</para>
/// <para>A <see cref="RetryVerdict.Retry"/> is one of an attempt that reached a backend and failed after (a
/// timeout, a retriable status, a reset once the response had begun): it takes one of <c>retries.attempts</c>
/// (retries after the first attempt, Istio's and Envoy's meaning, so <c>attempts: 2</c> means up to three tries)
/// and, checked by the caller, the retry budget. Idempotent methods (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE,
/// PUT, DELETE) retry freely; others only when the route opts in. Whatever the method, a request whose body has
/// started to stream is never sent again, and nothing is once the response has started.</para>
/// </summary>
public static class RetryDecision
{
    /// <param name="retriesSoFar">Retries (not replays) sent so far: what <c>retries.attempts</c> bounds.</param>
    /// <param name="elapsed">Since the request's first attempt started: what <c>retries.totalTimeout</c> bounds.</param>
    public static RetryVerdict Decide(
        RetrySnapshot? policy,
        string method,
        int retriesSoFar,
        AttemptOutcome outcome,
        bool requestBodyStarted,
        bool responseStarted,
        TimeSpan elapsed = default)
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

        // Replays and retries alike: the pool bounds replays by its size, which is no bound on time when each of
        // them waits out a connect timeout (nginx's proxy_next_upstream_timeout).
        if (policy.TotalTimeout > TimeSpan.Zero && elapsed >= policy.TotalTimeout)
        {
            return RetryVerdict.TotalTimeoutPassed;
        }

        if (IsReplay(method, outcome, requestBodyStarted))
        {
            return RetryVerdict.Replay;
        }

        if (retriesSoFar >= policy.Attempts)
        {
            return RetryVerdict.AttemptsExhausted;
        }

        if (!policy.NonIdempotent && !IdempotentMethods.Contains(method))
        {
            return RetryVerdict.NonIdempotentMethod;
        }

        if (requestBodyStarted)
        {
            return RetryVerdict.BodyAlreadySent;
        }

        return RetryVerdict.Retry;
    }

    /// <summary>
    /// Whether sending the request again cannot repeat anything the failed attempt did: it never connected (nothing
    /// reached a backend, whatever the method), or the connection broke before any response byte and the request
    /// is idempotent with no body byte sent. A POST whose connection broke is never a replay, even without a body:
    /// the backend may have acted on it (nginx's <c>non_idempotent</c> rule); routes opt in with <c>nonIdempotent</c>
    /// and then pay from the budget.
    /// </summary>
    public static bool IsReplay(string method, AttemptOutcome outcome, bool requestBodyStarted) => outcome.Kind switch
    {
        AttemptOutcomeKind.ConnectFailure => !requestBodyStarted,
        AttemptOutcomeKind.Reset => outcome.NothingReceived && !requestBodyStarted && IdempotentMethods.Contains(method),
        _ => false,
    };

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
