using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Health;

/// <summary>
/// Slow start: an endpoint that just became available (added to a running pool, or back from an active-check
/// failure) gets a share of its weight that ramps linearly from 10% to 100% over <c>slowStart</c>, so a cold
/// instance is not flooded. The share is published on the endpoint as <see cref="EndpointHealth.SlowStartTenths"/>
/// and read by the weighted balancers through <see cref="EndpointState.EffectiveWeight"/> when they are built;
/// the ramp calls <c>onStep</c> at every tenth so the pool rebuilds its balancer (at most 9 rebuilds per ramp).
/// Unweighted algorithms (round robin, least connections, hashing) ignore weights, so they ignore the ramp too,
/// as in Envoy, where slow start applies to round robin and least request with weights.
/// </summary>
public sealed class SlowStartRamp : IDisposable
{
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly Action _onStep;
    private readonly Lock _sync = new();
    private readonly List<EndpointState> _ramping = [];
    private readonly ITimer _timer;
    private bool _running;
    private bool _disposed;

    public SlowStartRamp(TimeSpan window, TimeProvider time, Action onStep)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "slowStart must be positive");
        }

        _window = window;
        _time = time;
        _onStep = onStep;
        _timer = time.CreateTimer(static s => ((SlowStartRamp)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The share of the full weight, in tenths (1..10), <paramref name="elapsed"/> after becoming available.</summary>
    public static int Tenths(TimeSpan elapsed, TimeSpan window)
    {
        if (window <= TimeSpan.Zero || elapsed >= window)
        {
            return EndpointHealth.EffectiveWeightScale;
        }

        var fraction = Math.Max(0, elapsed.Ticks) / (double)window.Ticks;
        return Math.Clamp(1 + (int)(fraction * (EndpointHealth.EffectiveWeightScale - 1)), 1, EndpointHealth.EffectiveWeightScale);
    }

    /// <summary>Endpoints currently ramping.</summary>
    public ImmutableArray<EndpointState> Ramping
    {
        get
        {
            lock (_sync)
            {
                return [.. _ramping];
            }
        }
    }

    /// <summary>Starts (or restarts) the ramp of an endpoint that just became available. The caller rebuilds the balancer.</summary>
    public void Begin(EndpointState endpoint)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            endpoint.Health.AvailableSinceTimestamp = _time.GetTimestamp();
            endpoint.Health.SetSlowStartTenths(1);
            if (!_ramping.Contains(endpoint))
            {
                _ramping.Add(endpoint);
            }

            if (!_running)
            {
                _running = true;
                _timer.Change(Step, Step);
            }
        }
    }

    /// <summary>Ends an endpoint's ramp at full weight (it went down, or left the pool).</summary>
    public void Stop(EndpointState endpoint)
    {
        lock (_sync)
        {
            _ramping.Remove(endpoint);
            endpoint.Health.SetSlowStartTenths(EndpointHealth.EffectiveWeightScale);
        }
    }

    private TimeSpan Step => TimeSpan.FromTicks(Math.Max(1, _window.Ticks / (EndpointHealth.EffectiveWeightScale - 1)));

    private void Tick()
    {
        var changed = false;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            for (var i = _ramping.Count - 1; i >= 0; i--)
            {
                var endpoint = _ramping[i];
                var tenths = Tenths(_time.GetElapsedTime(endpoint.Health.AvailableSinceTimestamp, now), _window);
                if (tenths != endpoint.Health.SlowStartTenths)
                {
                    endpoint.Health.SetSlowStartTenths(tenths);
                    changed = true;
                }

                if (tenths == EndpointHealth.EffectiveWeightScale)
                {
                    _ramping.RemoveAt(i);
                }
            }

            if (_ramping.Count == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        if (changed)
        {
            _onStep();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            foreach (var endpoint in _ramping)
            {
                endpoint.Health.SetSlowStartTenths(EndpointHealth.EffectiveWeightScale);
            }

            _ramping.Clear();
        }

        _timer.Dispose();
    }
}
