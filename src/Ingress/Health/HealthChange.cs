using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Health;

/// <summary>What happened to an endpoint's health.</summary>
public enum HealthChange
{
    /// <summary>The active check failed <c>unhealthyThreshold</c> times in a row.</summary>
    ActiveDown,
    /// <summary>The active check passed <c>healthyThreshold</c> times in a row.</summary>
    ActiveUp,
    /// <summary>Passive health ejected it (consecutive failures, or a failure on probation).</summary>
    Ejected,
    /// <summary>Its ejection time elapsed.</summary>
    Returned,
    /// <summary>Removed from the configuration (or terminating): no new requests.</summary>
    DrainStarted,
    /// <summary>Its last in-flight request finished, or the drain timeout passed.</summary>
    DrainFinished,
}

/// <summary>A health transition with its cause, for the pool to recompute availability, log and export.</summary>
public delegate void HealthChangedHandler(EndpointState endpoint, HealthChange change, string cause);
