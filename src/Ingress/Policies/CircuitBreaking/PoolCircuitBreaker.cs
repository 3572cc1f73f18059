using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Policies.CircuitBreaking;

/// <summary>
/// Envoy-style circuit breaking for one pool, per replica: a request that would take the pool past its
/// concurrency limit is refused at once (503 and a metric) instead of queueing into a timeout. One instance
/// per pool lives across snapshots, so in-flight requests stay counted when the limits change.
/// <list type="bullet">
/// <item>maxRequests: requests in flight to the pool.</item>
/// <item>maxConnections + maxPendingRequests: an HTTP/1.1 request holds one upstream connection, so the pool
/// admits at most this many in flight (the ones past maxConnections are the "pending"; pending defaults to 0,
/// i.e. overflow is refused, not queued).</item>
/// <item>maxRetries: retries in flight (<see cref="TryEnterRetry"/>), for the retry logic to ask.</item>
/// </list>
/// </summary>
public sealed class PoolCircuitBreaker
{
    private readonly Counter.Child _overRequests;
    private readonly Counter.Child _overConnections;
    private readonly Counter.Child _overRetries;
    private volatile Limits? _limits;
    private int _active;
    private int _retries;

    private sealed record Limits(int Requests, int Connections, int Retries);

    public PoolCircuitBreaker(string poolId, PolicyMetrics metrics)
    {
        _overRequests = metrics.CircuitOpen.WithLabels(poolId, "maxRequests");
        _overConnections = metrics.CircuitOpen.WithLabels(poolId, "maxConnections");
        _overRetries = metrics.CircuitOpen.WithLabels(poolId, "maxRetries");
    }

    /// <summary>Takes the pool's limits (null: none); counts in flight carry over.</summary>
    public void Configure(CircuitBreakerSnapshot? config)
    {
        _limits = config is null ? null : new Limits(
            config.MaxRequests ?? int.MaxValue,
            config.MaxConnections is { } c ? (int)Math.Min(int.MaxValue, (long)c + (config.MaxPendingRequests ?? 0)) : int.MaxValue,
            config.MaxRetries ?? int.MaxValue);
    }

    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Admits a request or refuses it. <paramref name="counted"/> says whether the caller must call
    /// <see cref="Exit"/> when it finishes (false when the pool has no limits: nothing is counted then).
    /// </summary>
    public bool TryEnter(out bool counted)
    {
        var limits = _limits;
        if (limits is null)
        {
            counted = false;
            return true;
        }
        var now = Interlocked.Increment(ref _active);
        if (now > limits.Requests || now > limits.Connections)
        {
            Interlocked.Decrement(ref _active);
            (now > limits.Requests ? _overRequests : _overConnections).Inc();
            counted = false;
            return false;
        }
        counted = true;
        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _active);

    /// <summary>Whether one more retry may start now; pair a true result with <see cref="ExitRetry"/>.</summary>
    public bool TryEnterRetry()
    {
        var limits = _limits;
        var now = Interlocked.Increment(ref _retries);
        if (limits is not null && now > limits.Retries)
        {
            Interlocked.Decrement(ref _retries);
            _overRetries.Inc();
            return false;
        }
        return true;
    }

    public void ExitRetry() => Interlocked.Decrement(ref _retries);
}
