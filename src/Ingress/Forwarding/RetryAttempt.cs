using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// The retry state of one request on a route with retries (one small object per such request; routes without
/// retries allocate nothing). Decides whether the attempt that just failed is sent again and where: the decision
/// (<see cref="RetryDecision"/>), then an endpoint from the pool's current balancer that this request has not tried
/// (<see cref="TriedEndpoints"/>; the balancer's own choice avoiding the failed one when it is new), then the budget
/// — in that order so budget is spent only on retries that will be sent. A replay (nothing reached a backend, or a
/// reset before any response byte of a request safe to resend) takes neither budget nor one of the route's attempts:
/// it goes to each other endpoint at most once, so the pool bounds it; <c>retries.totalTimeout</c> bounds both in
/// time. Set as a feature of the request so the response transformer can ask before a retriable status reaches the
/// client.
/// </summary>
public sealed class RetryAttempt : IRetriableResponse
{
    private readonly HttpContext _context;
    private readonly RouteRetry _retry;
    private readonly PoolRuntime _pool;
    private readonly PickContext _pick;
    private readonly long _started;

    /// <param name="started">When the first attempt started (<see cref="RouteRetry.Time"/>'s timestamp): <c>retries.totalTimeout</c> counts from there.</param>
    public RetryAttempt(HttpContext context, RouteRetry retry, PoolRuntime pool, PickContext pick, EndpointState first, RequestBodyGuard? body, long started)
    {
        _context = context;
        _started = started;
        _retry = retry;
        _pool = pool;
        _pick = pick;
        Current = first;
        Body = body;
    }

    /// <summary>Built at the first failure (a request on a retry route that succeeds allocates none); the endpoint
    /// that failed then is the first one tried, since <see cref="Current"/> changes only after a planned retry.</summary>
    private TriedEndpoints? _tried;

    public EndpointState Current { get; set; }
    /// <summary>Watches the request body (null: none to watch yet); set when the retry loop wraps the body.</summary>
    public RequestBodyGuard? Body { get; set; }
    /// <summary>Whether the planned attempt (<see cref="Next"/>) is a replay (counted apart from retries).</summary>
    public bool NextIsReplay => LastVerdict == RetryVerdict.Replay;
    /// <summary>Attempts sent again so far (retries and replays).</summary>
    public int Retries { get; set; }
    /// <summary>Of those, the retries that took one of <c>retries.attempts</c> (attempts that had reached a backend).</summary>
    public int ChargedRetries { get; private set; }
    /// <summary>A status the transformer held back from the client (0 = none): the attempt is retried.</summary>
    public int SuppressedStatus { get; set; }
    /// <summary>Where the planned retry goes.</summary>
    public EndpointState? Next { get; set; }
    /// <summary>A slot of the pool's retry limit (circuit breaker <c>maxRetries</c>) taken for the planned retry.</summary>
    private bool _plannedSlot;
    /// <summary>The slot of the retry being sent now, held until it ends (or handed on to the next retry).</summary>
    private bool _currentSlot;

    /// <summary>Why the last failed attempt was not retried (for tests and logs).</summary>
    public RetryVerdict LastVerdict { get; private set; } = RetryVerdict.NotRetriable;

    /// <summary>A retriable status arrived: plans its retry and, when one will be sent, keeps the status so the
    /// response can be suppressed.</summary>
    public bool TrySuppress(int status)
    {
        if (!TryPlan(AttemptOutcome.Response(status))) return false;
        SuppressedStatus = status;
        return true;
    }

    /// <summary>Plans a retry of <see cref="Current"/>'s outcome; true with <see cref="Next"/> set when one will be sent.</summary>
    public bool TryPlan(AttemptOutcome outcome)
    {
        var verdict = RetryDecision.Decide(_retry.Policy, _context.Request.Method, ChargedRetries, outcome,
            Body?.Started ?? false, _context.Response.HasStarted, _retry.Time.GetElapsedTime(_started));
        LastVerdict = verdict;
        if (verdict is not (RetryVerdict.Retry or RetryVerdict.Replay))
        {
            if (verdict == RetryVerdict.TotalTimeoutPassed) _retry.TotalTimeoutPassed?.Inc();
            return false;
        }

        // Never the endpoint that just failed; preferably one this request has not tried. A replay goes only to a
        // new one: each endpoint once, so a request meets at most every endpoint of the pool (several origins of a
        // rollout stopping in a row included) and then gives up.
        var replay = verdict == RetryVerdict.Replay;
        var balancer = _pool.Balancer;
        var other = balancer.Pick(new PickContext(_pick.KeyHash, _pick.HasKey, avoid: Current));
        if (ReferenceEquals(other, Current)) other = null;
        _tried ??= new TriedEndpoints(Current);
        var next = _tried.Untried(other, balancer.Endpoints) ?? (replay ? null : other);
        if (next is null)
        {
            LastVerdict = RetryVerdict.NoOtherEndpoint;
            return false;
        }

        // Envoy's max_retries: retries in flight to this pool, across all routes; a refusal is counted by the
        // breaker. A retry planned while the previous retry is still in flight takes over its slot.
        var reuse = _currentSlot;
        if (!reuse && !_pool.Breaker.TryEnterRetry())
        {
            LastVerdict = RetryVerdict.PoolRetryLimit;
            return false;
        }

        // The budget bounds the extra load retries put on backends. A replay put none on any (it never connected, or
        // broke before its request could be answered), so it takes nothing: a burst of them, e.g. 200 WebSockets
        // reopening toward an origin that has just stopped, would otherwise spend it and end in 502s.
        if (!replay && !_retry.Budget.TryAcquireRetry())
        {
            if (!reuse) _pool.Breaker.ExitRetry();
            _retry.BudgetExhausted?.Inc();
            LastVerdict = RetryVerdict.AttemptsExhausted;
            return false;
        }

        if (!replay) ChargedRetries++;
        _tried.Add(next);
        _currentSlot = false;
        _plannedSlot = true;
        Next = next;
        return true;
    }

    /// <summary>An attempt starts: a planned retry's slot becomes the current one.</summary>
    public void StartAttempt()
    {
        _currentSlot = _plannedSlot;
        _plannedSlot = false;
    }

    /// <summary>An attempt ended: its slot of the pool's retry limit (if it still holds one) goes back.</summary>
    public void EndAttempt()
    {
        if (_currentSlot) _pool.Breaker.ExitRetry();
        _currentSlot = false;
    }

    /// <summary>The request is done: any slot still held (a retry planned but never sent) goes back.</summary>
    public void ReleaseSlots()
    {
        EndAttempt();
        if (_plannedSlot) _pool.Breaker.ExitRetry();
        _plannedSlot = false;
    }
}
