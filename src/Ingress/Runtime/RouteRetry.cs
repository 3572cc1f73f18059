using Ballast.Ingress.Health;
using Ballast.Ingress.Http;
using Ballast.Ingress.Transforms;
using Ballast.Model.Snapshots;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// A route's retry policy, ready for the hot path: the policy, the route's retry budget, how to wrap a transformer so
/// that a retriable 502/503/504 is retried instead of sent to the client, and cached metric children.
/// One per route per snapshot; the budget carries over a reload while its percentage is unchanged.
/// </summary>
public sealed class RouteRetry
{
    /// <param name="previousBudget">The route's budget in the previous snapshot: kept while its percentage is unchanged,
    /// so a reload (a rollout rewriting a pool) does not start from an empty window just when retries are needed.</param>
    public RouteRetry(RetrySnapshot policy, TimeProvider time, HealthMetrics? metrics, string routeId, RetryBudget? previousBudget = null)
    {
        Policy = policy;
        Time = time;
        Budget = previousBudget is { } kept && kept.BudgetPercent == policy.BudgetPercent ? kept : new RetryBudget(policy.BudgetPercent, time);
        RetriesOnStatus = (policy.On & (RetryOn.Status502 | RetryOn.Status503 | RetryOn.Status504)) != 0;
        PlainFirstAttempt = !RetriesOnStatus && policy.PerTryTimeout is null;
        Retries = metrics?.Retries.WithLabels(routeId);
        Replays = metrics?.Replays.WithLabels(routeId);
        BudgetExhausted = metrics?.RetryBudgetExhausted.WithLabels(routeId);
        TotalTimeoutPassed = metrics?.RetryTotalTimeoutPassed.WithLabels(routeId);
    }

    public RetrySnapshot Policy { get; }
    /// <summary>The clock <c>retries.totalTimeout</c> and the budget are measured with.</summary>
    public TimeProvider Time { get; }
    public RetryBudget Budget { get; }
    /// <summary>Whether some status codes are retried (then responses are screened before they reach the client).</summary>
    public bool RetriesOnStatus { get; }
    /// <summary>The transformer retried attempts use: <paramref name="inner"/>, screened for retriable statuses when some are retried.</summary>
    public HttpTransformer Wrap(HttpTransformer inner) => RetriesOnStatus ? new RetryAwareTransformer(inner) : inner;
    /// <summary>
    /// The first attempt needs no retry state up front (no status to screen, no per-try timer): a request without
    /// a body is forwarded plainly and the state is built only after a failure.
    /// </summary>
    public bool PlainFirstAttempt { get; }
    /// <summary>Retries sent (attempts that had reached a backend, each one of <c>retries.attempts</c>).</summary>
    public Counter.Child? Retries { get; }

    /// <summary>
    /// Whether a request with this method could be retried after its attempt reached a backend (a reset or a
    /// timeout): only then must its body be watched from the first byte. Otherwise only a connect failure, which
    /// reads no body, can be retried.
    /// </summary>
    public bool MayRetryAfterSending(string method) =>
        (Policy.On & (RetryOn.Reset | RetryOn.Timeout)) != 0 && (Policy.NonIdempotent || IdempotentMethods.Contains(method));
    public Counter.Child? BudgetExhausted { get; }
    /// <summary>Replays sent (attempts that had reached no backend, sent again outside the attempts and the budget).</summary>
    public Counter.Child? Replays { get; }
    /// <summary>Replays and retries not sent because <c>retries.totalTimeout</c> had passed.</summary>
    public Counter.Child? TotalTimeoutPassed { get; }
}
