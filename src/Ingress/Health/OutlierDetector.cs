using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// Passive health (Envoy's outlier detection) for one pool. The proxy reports every attempt's outcome;
/// <c>consecutiveFailures</c> backend failures in a row (connect failure, reset, timeout, 5xx) eject the
/// endpoint for <c>ejectionTime × 2^(n−1)</c>, capped at <c>maxEjectionTime</c>, where n counts repeat
/// ejections. An endpoint back from ejection is on probation until its first good answer: a failure then
/// ejects it again at once, for twice as long. n starts over when the endpoint stayed in for at least as long
/// as its last ejection. <c>maxEjectionPercent</c> caps the ejected share, and the last endpoint standing is
/// never ejected, so passive health never empties a pool. With <c>ConnectFailuresOnly</c> (the default of a pool
/// without passive settings) only connect failures count.
/// Hot path: a success is one or two reads (a write only when a failure count must be cleared), a failure one
/// Interlocked increment; the lock is taken only when a threshold is crossed.
/// </summary>
public sealed class OutlierDetector : IDisposable
{
    private readonly PassiveHealthSnapshot _config;
    private readonly TimeProvider _time;
    private readonly HealthChangedHandler _changed;
    private readonly Lock _sync = new();
    private ImmutableArray<EndpointState> _members = [];
    private bool _disposed;

    public OutlierDetector(PassiveHealthSnapshot config, TimeProvider time, HealthChangedHandler changed)
    {
        if (config.ConsecutiveFailures < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.ConsecutiveFailures, "healthCheck.passive.consecutiveFailures must be at least 1");
        }

        if (config.EjectionTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.EjectionTime, "healthCheck.passive.ejectionTime must be positive");
        }

        if (config.MaxEjectionPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.MaxEjectionPercent, "healthCheck.passive.maxEjectionPercent must be between 0 and 100");
        }

        _config = config;
        _time = time;
        _changed = changed;
    }

    public PassiveHealthSnapshot Config => _config;

    /// <summary>The pool's current (non-removed) endpoints: the base of <c>maxEjectionPercent</c>.</summary>
    public void SetEndpoints(ImmutableArray<EndpointState> endpoints)
    {
        lock (_sync)
        {
            _members = endpoints;
        }
    }

    /// <summary>Counts one attempt's outcome against its endpoint. Called by the proxy for every attempt.</summary>
    public void Report(EndpointState endpoint, AttemptOutcome outcome)
    {
        if (outcome.IsBackendSuccess)
        {
            endpoint.Health.ResetPassiveFailures();
            return;
        }

        if (!outcome.IsBackendFailure || (_config.ConnectFailuresOnly && outcome.Kind != AttemptOutcomeKind.ConnectFailure))
        {
            return;
        }

        var failures = endpoint.Health.IncrementPassiveFailures();
        if (endpoint.Health.IsEjected)
        {
            return;
        }

        if (failures >= _config.ConsecutiveFailures || endpoint.Health.InEjectionProbation)
        {
            TryEject(endpoint, outcome, failures);
        }
    }

    /// <summary>How long the next ejection of an endpoint ejected <paramref name="ejectionCount"/> times in a row lasts.</summary>
    public static TimeSpan EjectionDuration(PassiveHealthSnapshot config, int ejectionCount)
    {
        var cap = config.MaxEjectionTime > config.EjectionTime ? config.MaxEjectionTime : config.EjectionTime;
        var doublings = Math.Clamp(ejectionCount - 1, 0, 30);
        var ticks = config.EjectionTime.Ticks * (double)(1L << doublings);
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Whether one more endpoint may be ejected when <paramref name="ejected"/> of <paramref name="total"/> already are.</summary>
    public static bool EjectionAllowed(int ejected, int total, int maxEjectionPercent) =>
        ejected + 1 < total && (ejected + 1) * 100L <= (long)maxEjectionPercent * total;

    private void TryEject(EndpointState endpoint, AttemptOutcome outcome, int failures)
    {
        TimeSpan duration;
        bool probation;
        lock (_sync)
        {
            if (_disposed || endpoint.Health.IsEjected)
            {
                return;
            }

            var members = _members;
            var ejected = 0;
            var counted = false;
            foreach (var member in members)
            {
                if (member.Health.IsEjected)
                {
                    ejected++;
                }

                counted |= ReferenceEquals(member, endpoint);
            }

            if (!counted || !EjectionAllowed(ejected, members.Length, _config.MaxEjectionPercent))
            {
                return; // stays in; its failure count keeps growing, so the next failure asks again
            }

            var now = _time.GetTimestamp();
            var repeat = endpoint.Health.EjectionCount > 0 &&
                         _time.GetElapsedTime(endpoint.Health.ReturnedAtTimestamp, now) < endpoint.Health.LastEjectionDuration;
            endpoint.Health.EjectionCount = repeat ? endpoint.Health.EjectionCount + 1 : 1;
            duration = EjectionDuration(_config, endpoint.Health.EjectionCount);
            probation = endpoint.Health.InEjectionProbation;
            endpoint.Health.LastEjectionDuration = duration;
            endpoint.Health.EjectedAtTimestamp = now;
            endpoint.Health.SetProbation(false);
            endpoint.Health.SetEjected(true);
            endpoint.Health.EjectionTimer?.Dispose();
            endpoint.Health.EjectionTimer = _time.CreateTimer(static s =>
            {
                var (detector, e) = ((OutlierDetector, EndpointState))s!;
                detector.Return(e, "ejection time elapsed");
            }, (this, endpoint), duration, Timeout.InfiniteTimeSpan);
        }

        var why = probation ? $"{outcome} on probation after an ejection" : $"{failures} consecutive failures, last: {outcome}";
        _changed(endpoint, HealthChange.Ejected, $"{why}; ejected for {duration.TotalSeconds:0.###} s (ejection #{endpoint.Health.EjectionCount})");
    }

    private void Return(EndpointState endpoint, string cause)
    {
        lock (_sync)
        {
            if (!endpoint.Health.IsEjected)
            {
                return;
            }

            endpoint.Health.EjectionTimer?.Dispose();
            endpoint.Health.EjectionTimer = null;
            endpoint.Health.ReturnedAtTimestamp = _time.GetTimestamp();
            endpoint.Health.ClearPassiveFailures();
            endpoint.Health.SetProbation(true);
            endpoint.Health.SetEjected(false);
        }

        _changed(endpoint, HealthChange.Returned, cause);
    }

    /// <summary>Stops the detector; endpoints it holds ejected come back (a reconfigured pool starts afresh).</summary>
    public void Dispose()
    {
        ImmutableArray<EndpointState> members;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            members = _members;
        }

        foreach (var member in members)
        {
            if (member.Health.IsEjected)
            {
                member.Health.EjectionTimer?.Dispose();
                member.Health.EjectionTimer = null;
                member.Health.SetEjected(false);
                member.Health.SetProbation(false);
                member.Health.ClearPassiveFailures();
                _changed(member, HealthChange.Returned, "passive health reconfigured");
            }
        }
    }
}
