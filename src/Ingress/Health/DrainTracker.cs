using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Health;

/// <summary>
/// Endpoints removed from a pool's configuration that still serve in-flight requests. A removed endpoint gets
/// no new request (<see cref="EndpointHealth.IsRemoved"/>, checked by <see cref="Availability"/>); it leaves the
/// drain list when its in-flight count reaches 0, or when the pool's <c>drainTimeout</c> passes — then whatever
/// it still serves (WebSockets, streams, slow responses) is aborted through <see cref="EndpointHealth.DrainAbortToken"/>.
/// The in-flight count is polled on the health clock every <see cref="PollInterval"/> rather than signalled from
/// the hot path, which keeps the request path free of drain bookkeeping.
/// </summary>
public sealed class DrainTracker : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider _time;
    private readonly HealthChangedHandler _changed;
    private readonly Lock _sync = new();
    private readonly Dictionary<EndpointState, Drain> _draining = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    public DrainTracker(TimeProvider time, HealthChangedHandler changed)
    {
        _time = time;
        _changed = changed;
    }

    /// <summary>Endpoints still draining.</summary>
    public ImmutableArray<EndpointState> Draining
    {
        get
        {
            lock (_sync)
            {
                return [.. _draining.Keys];
            }
        }
    }

    /// <summary>Stops new requests to the endpoint and waits for its in-flight ones, up to <paramref name="timeout"/>.</summary>
    public void Start(EndpointState endpoint, TimeSpan timeout)
    {
        lock (_sync)
        {
            if (_disposed || _draining.ContainsKey(endpoint))
            {
                return;
            }

            endpoint.Health.MarkRemoved(true);
            var drain = new Drain(this, endpoint, _time.GetTimestamp(), timeout);
            _draining.Add(endpoint, drain);
            drain.Timer = _time.CreateTimer(static s => ((Drain)s!).Poll(), drain, PollInterval, PollInterval);
        }

        _changed(endpoint, HealthChange.DrainStarted, $"removed from the configuration with {endpoint.Load.InFlight} request(s) in flight; drain timeout {timeout.TotalSeconds:0.###} s");
    }

    /// <summary>The endpoint is back in the configuration: it serves again.</summary>
    public void Cancel(EndpointState endpoint)
    {
        lock (_sync)
        {
            if (!_draining.Remove(endpoint, out var drain))
            {
                return;
            }

            drain.Timer?.Dispose();
            endpoint.Health.MarkRemoved(false);
        }
    }

    private void Finish(Drain drain, bool timedOut)
    {
        var endpoint = drain.Endpoint;
        int open;
        lock (_sync)
        {
            if (!_draining.TryGetValue(endpoint, out var current) || !ReferenceEquals(current, drain))
            {
                return;
            }

            _draining.Remove(endpoint);
            drain.Timer?.Dispose();
            open = endpoint.Load.InFlight;
        }

        if (timedOut)
        {
            endpoint.Health.AbortDrain();
        }

        _changed(endpoint, HealthChange.DrainFinished, timedOut
            ? $"drain timeout {drain.Timeout.TotalSeconds:0.###} s passed: aborted {open} open request(s)/stream(s)"
            : "all in-flight requests finished");
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            foreach (var drain in _draining.Values)
            {
                drain.Timer?.Dispose();
            }

            _draining.Clear();
        }
    }

    private sealed class Drain(DrainTracker owner, EndpointState endpoint, long started, TimeSpan timeout)
    {
        public EndpointState Endpoint { get; } = endpoint;
        public TimeSpan Timeout { get; } = timeout;
        public ITimer? Timer { get; set; }

        public void Poll()
        {
            if (Endpoint.Load.InFlight <= 0)
            {
                owner.Finish(this, timedOut: false);
            }
            else if (owner._time.GetElapsedTime(started) >= Timeout)
            {
                owner.Finish(this, timedOut: true);
            }
        }
    }
}
