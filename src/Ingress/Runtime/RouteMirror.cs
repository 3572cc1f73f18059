using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// One RequestMirror of a route, ready for the hot path: the pool the copies go to, which requests are copied
/// (<see cref="Sample"/>), and the counters of what became of them. Sending lives in Forwarding/RequestMirrors.
/// </summary>
public sealed class RouteMirror
{
    private readonly long _numerator;
    private readonly long _denominator;
    private long _seen;

    public RouteMirror(MirrorSnapshot config, PoolRuntime pool, MirrorMetrics metrics, string routeId)
    {
        Pool = pool;
        _numerator = Math.Clamp(config.Numerator, 0, Math.Max(1, config.Denominator));
        _denominator = Math.Max(1, config.Denominator);
        Sent = metrics.Requests.WithLabels(routeId, pool.Id, "answered");
        Failed = metrics.Requests.WithLabels(routeId, pool.Id, "failed");
        Busy = metrics.Requests.WithLabels(routeId, pool.Id, "dropped_busy");
        BodyNotCopied = metrics.Requests.WithLabels(routeId, pool.Id, "dropped_body");
        NoEndpoint = metrics.Requests.WithLabels(routeId, pool.Id, "no_endpoint");
    }

    public PoolRuntime Pool { get; }

    /// <summary>
    /// Whether this request is copied: exactly <c>numerator</c> of every <c>denominator</c> consecutive requests,
    /// spread evenly (request n is copied when ⌊n·num/den⌋ steps up). No randomness: the share is exact at any count.
    /// </summary>
    public bool Sample()
    {
        if (_numerator == _denominator) return true;
        if (_numerator == 0) return false;
        var n = Interlocked.Increment(ref _seen);
        return n * _numerator / _denominator != (n - 1) * _numerator / _denominator;
    }

    /// <summary>The copy got a response (whatever its status).</summary>
    public Counter.Child Sent { get; }
    /// <summary>The copy got no response (connect failure, reset, timeout).</summary>
    public Counter.Child Failed { get; }
    /// <summary>Not sent: as many copies as allowed were already in flight.</summary>
    public Counter.Child Busy { get; }
    /// <summary>Not sent: the request's body is not one a copy carries (see docs/gateway-api.md, RequestMirror).</summary>
    public Counter.Child BodyNotCopied { get; }
    /// <summary>Not sent: the mirror pool had no available endpoint.</summary>
    public Counter.Child NoEndpoint { get; }
}
