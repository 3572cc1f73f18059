using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// Everything health does for one pool, in one place: the active checker (one prober per endpoint), passive
/// outlier detection, slow start, draining of removed endpoints, availability (backups, panic, draining) and
/// the visibility (a log line per transition with its cause, the state gauge). The pool calls
/// <see cref="Configure"/> on every snapshot and <see cref="Select"/> whenever it rebuilds its balancer; health
/// calls the pool back (<c>recompute</c>) on every transition. The proxy calls <see cref="Report"/> per attempt.
/// </summary>
public sealed class PoolHealth : IDisposable
{
    private readonly string _poolId;
    // kind/namespace/name of the pool on every line logged about it (JSON logs carry them as fields).
    private readonly Ballast.Model.Resources.ResourceLogFields _logFields;
    private readonly HealthServices _services;
    private readonly Action _recompute;
    private readonly Lock _sync = new();
    private readonly DrainTracker _drains;
    private readonly Random _random;
    private readonly HashSet<EndpointState> _terminating = new(ReferenceEqualityComparer.Instance);
    private readonly List<EndpointState> _pendingTerminating = [];
    private ActiveHealthChecker? _active;
    private volatile OutlierDetector? _passive;
    private SlowStartRamp? _slowStart;
    private PoolSnapshot _config;
    private ImmutableArray<EndpointState> _endpoints = [];
    private volatile int _mode = (int)AvailabilityMode.None;
    private bool _configured;
    private bool _disposed;

    public PoolHealth(PoolSnapshot config, HealthServices services, Action recompute)
    {
        _poolId = config.Id;
        _logFields = Ballast.Model.Resources.ResourceLogFields.Of(Ballast.Model.Resources.BackendPool.KindName, config.Id);
        _config = config;
        _services = services;
        _recompute = recompute;
        _random = services.NewRandom();
        _drains = new DrainTracker(services.Time, OnChanged);
    }

    /// <summary>How the pool served at the last <see cref="Select"/>.</summary>
    public AvailabilityMode Mode => (AvailabilityMode)_mode;

    /// <summary>Removed endpoints still finishing their in-flight requests.</summary>
    public ImmutableArray<EndpointState> Draining => _drains.Draining;

    public PoolSnapshot Config => _config;
    public ActiveHealthChecker? ActiveChecker => _active;
    public OutlierDetector? Passive => _passive;

    /// <summary>
    /// Takes the pool's configuration: (re)builds the checker, detector and ramp when their settings change,
    /// probes exactly the current endpoints, starts draining the removed ones (and cancels the drain of any that
    /// came back), starts slow start for endpoints added to a running pool. Does not recompute: the caller does.
    /// </summary>
    public void Configure(PoolSnapshot config, ImmutableArray<EndpointState> endpoints, IEnumerable<EndpointState> removed)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var previous = _config;
            var known = new HashSet<EndpointState>(_endpoints, ReferenceEqualityComparer.Instance);
            _config = config;
            _endpoints = endpoints;

            foreach (var endpoint in endpoints)
            {
                _drains.Cancel(endpoint);
                if (endpoint.Config.Draining ? _terminating.Add(endpoint) : _terminating.Remove(endpoint))
                {
                    _pendingTerminating.Add(endpoint);
                }
            }

            _terminating.IntersectWith(endpoints);

            foreach (var endpoint in removed)
            {
                _slowStart?.Stop(endpoint);
                _drains.Start(endpoint, config.DrainTimeout);
            }

            ConfigureActive(previous, config, endpoints);
            ConfigurePassive(previous, config, endpoints);
            ConfigureSlowStart(previous, config, endpoints, known);
            _configured = true;
        }

        foreach (var endpoint in _pendingTerminating)
        {
            LogTransition(endpoint, endpoint.Config.Draining ? HealthChange.DrainStarted : HealthChange.DrainFinished,
                endpoint.Config.Draining ? "terminating: no new requests while other endpoints are available" : "no longer terminating");
        }

        _pendingTerminating.Clear();
    }

    private void ConfigureActive(PoolSnapshot previous, PoolSnapshot config, ImmutableArray<EndpointState> endpoints)
    {
        var same = _active is not null && Equals(_active.Check, config.ActiveHealth) &&
                   previous.Protocol == config.Protocol && Equals(previous.Tls, config.Tls);
        if (!same)
        {
            _active?.Dispose();
            _active = null;
            if (config.ActiveHealth is { } check)
            {
                _active = new ActiveHealthChecker(config, check, _services.Time, _random, OnChanged, _services.BackendTls);
            }
            else
            {
                foreach (var endpoint in endpoints)
                {
                    endpoint.Health.SetActiveDown(false); // no active check: nothing holds it down
                }
            }
        }

        _active?.SetEndpoints(endpoints);
    }

    private void ConfigurePassive(PoolSnapshot previous, PoolSnapshot config, ImmutableArray<EndpointState> endpoints)
    {
        if (_passive is null || !Equals(_passive.Config, config.PassiveHealth))
        {
            var old = _passive;
            _passive = config.PassiveHealth is { } passive ? new OutlierDetector(passive, _services.Time, OnChanged) : null;
            old?.Dispose();
        }

        _passive?.SetEndpoints(endpoints);
    }

    private void ConfigureSlowStart(PoolSnapshot previous, PoolSnapshot config, ImmutableArray<EndpointState> endpoints, HashSet<EndpointState> known)
    {
        if (previous.SlowStart != config.SlowStart || (_slowStart is null) != (config.SlowStart is not { } w || w <= TimeSpan.Zero))
        {
            _slowStart?.Dispose();
            _slowStart = config.SlowStart is { } window && window > TimeSpan.Zero ? new SlowStartRamp(window, _services.Time, _recompute) : null;
        }

        if (_slowStart is null || !_configured)
        {
            return; // a pool's first endpoints start at full weight: they are all equally cold
        }

        foreach (var endpoint in endpoints)
        {
            if (!known.Contains(endpoint) && endpoint.Health.IsHealthy)
            {
                _slowStart.Begin(endpoint);
            }
        }
    }

    /// <summary>The endpoints to balance over now (see <see cref="Availability"/>); publishes the state gauge.</summary>
    public AvailableSet Select(ImmutableArray<EndpointState> endpoints)
    {
        var set = Availability.Select(endpoints, _config.PanicThresholdPercent);
        var previous = (AvailabilityMode)Interlocked.Exchange(ref _mode, (int)set.Mode);
        if (previous != set.Mode && _configured)
        {
            var level = set.Mode is AvailabilityMode.Normal ? LogLevel.Information : LogLevel.Warning;
            using var scope = _services.Logger.BeginScope(_logFields);
            _services.Logger.Log(level, "Pool {Pool}: {Previous} -> {Mode} ({Available} of {Total} endpoints take traffic)",
                _poolId, previous, set.Mode, set.Endpoints.Length, endpoints.Length);
        }

        _services.Metrics?.Publish(_poolId, endpoints, set.Mode);
        _services.Metrics?.Publish(_poolId, Draining, set.Mode);
        return set;
    }

    /// <summary>One attempt's outcome, for passive health. Hot path: a null check when passive health is off.</summary>
    public void Report(EndpointState endpoint, AttemptOutcome outcome) => _passive?.Report(endpoint, outcome);

    private void LogTransition(EndpointState endpoint, HealthChange change, string cause)
    {
        var level = change is HealthChange.ActiveDown or HealthChange.Ejected ? LogLevel.Warning : LogLevel.Information;
        using (_services.Logger.BeginScope(_logFields))
            _services.Logger.Log(level, "Endpoint {Endpoint} of pool {Pool}: {Change}: {Cause}", endpoint.Id, _poolId, change, cause);
        _services.Metrics?.Transitions.WithLabels(_poolId, endpoint.Id, change.ToString()).Inc();
    }

    private void OnChanged(EndpointState endpoint, HealthChange change, string cause)
    {
        LogTransition(endpoint, change, cause);
        switch (change)
        {
            case HealthChange.ActiveUp:
                _slowStart?.Begin(endpoint);
                break;
            case HealthChange.ActiveDown:
                _slowStart?.Stop(endpoint);
                break;
            case HealthChange.DrainFinished:
                RetireSeries(endpoint);
                break;
        }

        if (change != HealthChange.DrainFinished)
        {
            _recompute();
        }
    }

    /// <summary>
    /// Deletes a drained endpoint's series, unless an endpoint of the same id is back in the pool: a reload that
    /// re-added it may already count into those series. Under the configuration lock, so such a reload either
    /// came first (and the series stay) or comes after (and makes new ones).
    /// </summary>
    private void RetireSeries(EndpointState endpoint)
    {
        lock (_sync)
        {
            if (_disposed || _endpoints.Any(e => e.Id == endpoint.Id))
            {
                return; // a disposed pool's series go with the pool (DataPlane retires them after its drain)
            }

            endpoint.Series.MarkRetired();
            _services.Metrics?.Retire(_poolId, endpoint);
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
            _active?.Dispose();
            _slowStart?.Dispose();
            _drains.Dispose();
            var passive = _passive;
            _passive = null;
            passive?.Dispose();
            foreach (var endpoint in _endpoints)
            {
                _services.Metrics?.Forget(_poolId, endpoint);
            }

            _services.Metrics?.ForgetPool(_poolId);
        }
    }
}
