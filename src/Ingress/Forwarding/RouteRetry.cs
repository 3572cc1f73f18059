using Ballast.Model.Snapshots;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;
using Ballast.Ingress.Health;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// A route's retry policy, ready for the hot path: the policy, the route's retry budget, the transformer that
/// lets a retriable 502/503/504 be retried instead of sent to the client, and cached metric children.
/// One per route per snapshot (a reload starts a fresh budget window).
/// </summary>
public sealed class RouteRetry
{
    public RouteRetry(RetrySnapshot policy, HttpTransformer inner, TimeProvider time, HealthMetrics? metrics, string routeId)
    {
        Policy = policy;
        Budget = new RetryBudget(policy.BudgetPercent, time);
        RetriesOnStatus = (policy.On & (RetryOn.Status502 | RetryOn.Status503 | RetryOn.Status504)) != 0;
        Transformer = RetriesOnStatus ? new RetryAwareTransformer(inner) : inner;
        Retries = metrics?.Retries.WithLabels(routeId);
        BudgetExhausted = metrics?.RetryBudgetExhausted.WithLabels(routeId);
    }

    public RetrySnapshot Policy { get; }
    public RetryBudget Budget { get; }
    /// <summary>Whether some status codes are retried (then responses are screened before they reach the client).</summary>
    public bool RetriesOnStatus { get; }
    public HttpTransformer Transformer { get; }
    public Counter.Child? Retries { get; }
    public Counter.Child? BudgetExhausted { get; }
}
