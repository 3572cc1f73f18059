using Ballast.Ingress.Endpoints;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Health;

/// <summary>
/// What every pool's health layer shares: the clock, the logger for transition lines, the metrics, and the
/// source of the probers' randomness. The seed differs per replica by default (process id and start time),
/// so replicas do not probe in lockstep; tests pass a fixed one.
/// </summary>
public sealed class HealthServices
{
    private readonly Random _seeds;

    public HealthServices(TimeProvider time, ILogger? logger = null, HealthMetrics? metrics = null, int? seed = null)
    {
        Time = time;
        Logger = logger ?? NullLogger.Instance;
        Metrics = metrics;
        _seeds = new Random(seed ?? HashCode.Combine(Environment.ProcessId, Environment.TickCount64));
    }

    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public HealthMetrics? Metrics { get; }
    /// <summary>
    /// Re-encryption to backends, shared with traffic: an HTTPS probe is set up by the same code as the pool's
    /// requests (trust, serverName as SNI and name check, client certificate) and its refusals are counted alike.
    /// Null: a private reporter (tests, pools built outside a host).
    /// </summary>
    public BackendTlsReporter? BackendTls { get; init; }

    /// <summary>A Random for one pool's probers, derived from the replica's seed.</summary>
    public Random NewRandom()
    {
        lock (_seeds)
        {
            return new Random(_seeds.Next());
        }
    }
}
