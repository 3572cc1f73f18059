namespace Ballast.Ingress.Health;

/// <summary>
/// HAProxy's fall/rise for one endpoint: <c>unhealthyThreshold</c> consecutive failed probes take a healthy
/// endpoint down, <c>healthyThreshold</c> consecutive passes bring a down one back; a probe of the other kind
/// resets the run. Pure and single-threaded (one prober owns it; probes of one endpoint never overlap).
/// A new endpoint starts up but unconfirmed (HAProxy's <c>init-state up</c>): traffic flows at once, and a
/// first probe that fails takes it down immediately instead of after the full threshold.
/// </summary>
public sealed class ActiveHealthTracker
{
    private readonly int _unhealthyThreshold;
    private readonly int _healthyThreshold;
    private int _failures;
    private int _passes;
    private bool _confirmed;

    public ActiveHealthTracker(int unhealthyThreshold, int healthyThreshold, bool healthy = true, bool confirmed = false)
    {
        if (unhealthyThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(unhealthyThreshold), unhealthyThreshold, "healthCheck.active.unhealthyThreshold must be at least 1");
        }

        if (healthyThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(healthyThreshold), healthyThreshold, "healthCheck.active.healthyThreshold must be at least 1");
        }

        _unhealthyThreshold = unhealthyThreshold;
        _healthyThreshold = healthyThreshold;
        Healthy = healthy;
        _confirmed = confirmed || !healthy;
    }

    public bool Healthy { get; private set; }

    /// <summary>Consecutive failures (while healthy) or passes (while down) counted toward the next transition.</summary>
    public int Run => Healthy ? _failures : _passes;

    /// <summary>Records one probe; true when this probe changed <see cref="Healthy"/>.</summary>
    public bool Record(bool passed)
    {
        if (passed)
        {
            _failures = 0;
            _confirmed = true;
            if (Healthy)
            {
                return false;
            }

            if (++_passes < _healthyThreshold)
            {
                return false;
            }

            _passes = 0;
            Healthy = true;
            return true;
        }

        _passes = 0;
        if (!Healthy)
        {
            return false;
        }

        if (++_failures < _unhealthyThreshold && _confirmed)
        {
            return false;
        }

        _failures = 0;
        _confirmed = true;
        Healthy = false;
        return true;
    }
}
