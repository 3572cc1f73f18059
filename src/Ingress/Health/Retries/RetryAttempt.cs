using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Pools;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Health;

/// <summary>
/// The retry state of one request on a route with retries (one small object per such request; routes without
/// retries allocate nothing). Decides whether the attempt that just failed is retried and where: the decision
/// (<see cref="RetryDecision"/>), then a different endpoint from the pool's current balancer
/// (<see cref="PickContext.Avoid"/>), then the budget — in that order so budget is spent only on retries that
/// will be sent. Set as a feature of the request so the response transformer can ask before a retriable
/// status reaches the client.
/// </summary>
public sealed class RetryAttempt
{
    private readonly HttpContext _context;
    private readonly RouteRetry _retry;
    private readonly PoolRuntime _pool;
    private readonly PickContext _pick;

    public RetryAttempt(HttpContext context, RouteRetry retry, PoolRuntime pool, PickContext pick, EndpointState first, RequestBodyGuard? body)
    {
        _context = context;
        _retry = retry;
        _pool = pool;
        _pick = pick;
        Current = first;
        Body = body;
    }

    public EndpointState Current { get; set; }
    public RequestBodyGuard? Body { get; }
    /// <summary>Retries sent so far.</summary>
    public int Retries { get; set; }
    /// <summary>A status the transformer held back from the client (0 = none): the attempt is retried.</summary>
    public int SuppressedStatus { get; set; }
    /// <summary>Where the planned retry goes.</summary>
    public EndpointState? Next { get; set; }
    /// <summary>Why the last failed attempt was not retried (for tests and logs).</summary>
    public RetryVerdict LastVerdict { get; private set; } = RetryVerdict.NotRetriable;

    /// <summary>Plans a retry of <see cref="Current"/>'s outcome; true with <see cref="Next"/> set when one will be sent.</summary>
    public bool TryPlan(AttemptOutcome outcome)
    {
        var verdict = RetryDecision.Decide(_retry.Policy, _context.Request.Method, Retries, outcome,
            Body?.Started ?? false, _context.Response.HasStarted);
        LastVerdict = verdict;
        if (verdict != RetryVerdict.Retry)
        {
            return false;
        }

        var next = _pool.Balancer.Pick(new PickContext(_pick.KeyHash, _pick.HasKey, avoid: Current));
        if (next is null || ReferenceEquals(next, Current))
        {
            LastVerdict = RetryVerdict.NotRetriable; // always to a different endpoint: there is none
            return false;
        }

        if (!_retry.Budget.TryAcquireRetry())
        {
            _retry.BudgetExhausted?.Inc();
            LastVerdict = RetryVerdict.AttemptsExhausted;
            return false;
        }

        Next = next;
        return true;
    }
}
