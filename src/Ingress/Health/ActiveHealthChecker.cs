using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// The active check of one pool: exactly one prober per endpoint, however many routes share the pool, each
/// on its own jittered one-shot timer (re-armed after its probe completes, so probes of one endpoint never
/// overlap and a slow backend is not probed faster than it answers). Verdicts go through fall/rise
/// (<see cref="ActiveHealthTracker"/>) into <see cref="EndpointHealth.IsActiveHealthy"/>; each transition is
/// reported with its cause. Time and randomness are injected: with a FakeTimeProvider a test drives the
/// schedule and the timeouts while the probes themselves use real sockets.
/// </summary>
public sealed class ActiveHealthChecker : IDisposable
{
    private readonly ActiveHealthSnapshot _check;
    private readonly ProbeTransport _transport;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly HealthChangedHandler _changed;
    private readonly Lock _sync = new();
    private readonly Dictionary<EndpointState, EndpointProber> _probers = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <param name="random">Seeded per replica in production (so replicas differ), fixed in tests; used under a lock.</param>
    /// <param name="backendTls">The pool's re-encryption setup, shared with traffic (null: a private one).</param>
    public ActiveHealthChecker(PoolSnapshot pool, ActiveHealthSnapshot check, TimeProvider time, Random random, HealthChangedHandler changed,
        BackendTlsReporter? backendTls = null)
    {
        Validate(check);
        _check = check;
        _time = time;
        _random = random;
        _changed = changed;
        _transport = new ProbeTransport(pool, check, backendTls);
    }

    public ActiveHealthSnapshot Check => _check;

    /// <summary>Raised after every probe (for tests and debugging); runs on the probe's continuation.</summary>
    public event Action<EndpointState, ProbeResult>? ProbeCompleted;

    /// <summary>Starts probers for endpoints not yet probed and stops those of endpoints no longer listed.
    /// An endpoint keeps its current verdict across a new checker (state lives on the endpoint).</summary>
    public void SetEndpoints(ImmutableArray<EndpointState> endpoints)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var keep = new HashSet<EndpointState>(endpoints, ReferenceEqualityComparer.Instance);
            foreach (var (endpoint, prober) in _probers.ToArray())
            {
                if (!keep.Contains(endpoint))
                {
                    prober.Dispose();
                    _probers.Remove(endpoint);
                }
            }

            foreach (var endpoint in endpoints)
            {
                if (!_probers.ContainsKey(endpoint))
                {
                    var prober = new EndpointProber(this, endpoint, HealthProbes.Create(_check, _transport, endpoint.Config));
                    _probers.Add(endpoint, prober);
                    prober.Start(ProbeSchedule.First(_check, NextUnit()));
                }
            }
        }
    }

    /// <summary>Probes completed for this endpoint (0 when it is not probed).</summary>
    public int ProbeCount(EndpointState endpoint)
    {
        lock (_sync)
        {
            return _probers.TryGetValue(endpoint, out var p) ? p.Completed : 0;
        }
    }

    private double NextUnit()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var prober in _probers.Values)
            {
                prober.Dispose();
            }

            _probers.Clear();
        }

        _transport.Dispose();
    }

    private static void Validate(ActiveHealthSnapshot check)
    {
        if (check.Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(check), check.Interval, "healthCheck.active.interval must be positive");
        }

        if (check.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(check), check.Timeout, "healthCheck.active.timeout must be positive");
        }
    }

    /// <summary>The probe loop of one endpoint.</summary>
    private sealed class EndpointProber : IDisposable
    {
        private readonly ActiveHealthChecker _owner;
        private readonly EndpointState _endpoint;
        private readonly IHealthProbe _probe;
        private readonly ActiveHealthTracker _tracker;
        private ITimer? _timer;
        private int _completed;
        private volatile bool _stopped;

        public EndpointProber(ActiveHealthChecker owner, EndpointState endpoint, IHealthProbe probe)
        {
            _owner = owner;
            _endpoint = endpoint;
            _probe = probe;
            var check = owner._check;
            // An endpoint already known (a new checker after a config change) keeps its verdict, confirmed.
            var known = endpoint.Health.ActiveHealthConfirmed;
            _tracker = new ActiveHealthTracker(check.UnhealthyThreshold, check.HealthyThreshold, endpoint.Health.IsActiveHealthy, confirmed: known);
        }

        public int Completed => Volatile.Read(ref _completed);

        public void Start(TimeSpan firstDelay)
        {
            // Armed only once assigned: a probe that completes synchronously (a loopback connect) re-arms _timer.
            _timer = _owner._time.CreateTimer(static s => _ = ((EndpointProber)s!).RunAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(firstDelay, Timeout.InfiniteTimeSpan);
        }

        private async Task RunAsync()
        {
            var check = _owner._check;
            ProbeResult result;
            using (var timeout = new CancellationTokenSource(check.Timeout, _owner._time))
            {
                try
                {
                    result = await _probe.ProbeAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    result = ProbeResult.Fail($"timeout after {check.Timeout.TotalMilliseconds:0} ms");
                }
                catch (Exception e)
                {
                    result = ProbeResult.Fail(ProbeFailures.Describe(e));
                }
            }

            if (_stopped)
            {
                return;
            }

            bool changed;
            lock (_tracker)
            {
                changed = _tracker.Record(result.Passed);
                _endpoint.Health.ActiveHealthConfirmed = true;
                if (changed)
                {
                    _endpoint.Health.SetActiveDown(!_tracker.Healthy);
                }
            }

            if (changed)
            {
                var healthy = _tracker.Healthy;
                var cause = healthy
                    ? $"passed {check.HealthyThreshold} consecutive {check.Kind} check(s), last: {result.Detail}"
                    : $"failed {check.UnhealthyThreshold} consecutive {check.Kind} check(s), last: {result.Detail}";
                _owner._changed(_endpoint, healthy ? HealthChange.ActiveUp : HealthChange.ActiveDown, cause);
            }

            // Re-arm before counting the probe as complete: whoever waits for the count (a test driving a fake
            // clock) may advance time at once, and the next probe must already be scheduled by then.
            if (!_stopped)
            {
                try
                {
                    _timer?.Change(ProbeSchedule.Next(check, _owner.NextUnit()), Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // Stopped between the check and the re-arm.
                }
            }

            Interlocked.Increment(ref _completed);
            _owner.ProbeCompleted?.Invoke(_endpoint, result);
        }

        public void Dispose()
        {
            _stopped = true;
            _timer?.Dispose();
            _probe.Dispose();
        }
    }
}
