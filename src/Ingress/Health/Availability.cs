using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Health;

/// <summary>How a pool is serving: which rule of <see cref="Availability.Select"/> chose its endpoints.</summary>
public enum AvailabilityMode
{
    /// <summary>Healthy primaries, and enough of them.</summary>
    Normal,
    /// <summary>Fewer than the panic threshold of primaries are healthy: spread over every primary
    /// (healthy or not) instead of crushing the few; or nothing is healthy at all: every non-draining endpoint.</summary>
    Panic,
    /// <summary>No primary is healthy: the healthy backups serve.</summary>
    Backup,
    /// <summary>Nothing else remains: endpoints that are terminating (still serving) take the traffic.</summary>
    Draining,
    /// <summary>No endpoint at all.</summary>
    None,
}

/// <summary>The endpoints to balance over and the rule that chose them.</summary>
public readonly record struct AvailableSet(ImmutableArray<EndpointState> Endpoints, AvailabilityMode Mode);

/// <summary>
/// Decides, from the endpoints and their health, which of them take new requests. Pure (reads only the
/// endpoints' flags); called off the hot path whenever health, draining or the configuration changes, and
/// the pool's balancer is rebuilt over the result. In order:
/// <list type="number">
/// <item>Healthy primaries, if they are at least <c>panicThreshold</c>% of the primaries → Normal.</item>
/// <item>Some primaries healthy but fewer than that share → Panic over all primaries (Envoy's panic mode: a
///   few survivors would be crushed by the whole load, and health checks can be wrong).</item>
/// <item>No primary healthy: healthy backups → Backup. They give the traffic back as soon as a primary is healthy.</item>
/// <item>Nothing healthy among primaries and backups: healthy terminating endpoints → Draining.</item>
/// <item>Still nothing: Panic over every non-draining endpoint (primaries and backups), or, with panic
///   disabled (threshold 0), None. Draining endpoints that are not healthy come last.</item>
/// </list>
/// Removed endpoints (draining their in-flight requests) and endpoints of weight 0 never take new requests.
/// </summary>
public static class Availability
{
    public static AvailableSet Select(ImmutableArray<EndpointState> endpoints, int panicThresholdPercent)
    {
        if (endpoints.IsDefaultOrEmpty)
        {
            return new([], AvailabilityMode.None);
        }

        int primaries = 0, healthyPrimaries = 0, healthyBackups = 0, healthyDraining = 0, draining = 0, others = 0;
        foreach (var e in endpoints)
        {
            if (e.Health.IsRemoved || e.Weight <= 0)
            {
                continue;
            }

            if (e.Config.Draining)
            {
                draining++;
                healthyDraining += e.Health.IsHealthy ? 1 : 0;
            }
            else if (e.IsBackup)
            {
                others++;
                healthyBackups += e.Health.IsHealthy ? 1 : 0;
            }
            else
            {
                primaries++;
                others++;
                healthyPrimaries += e.Health.IsHealthy ? 1 : 0;
            }
        }

        var panic = Math.Clamp(panicThresholdPercent, 0, 100);
        if (healthyPrimaries > 0)
        {
            var inPanic = healthyPrimaries * 100L < (long)panic * primaries;
            return inPanic
                ? new(Filter(endpoints, primaries, static e => !e.IsBackup), AvailabilityMode.Panic)
                : new(Filter(endpoints, healthyPrimaries, static e => !e.IsBackup && e.Health.IsHealthy), AvailabilityMode.Normal);
        }

        if (healthyBackups > 0)
        {
            return new(Filter(endpoints, healthyBackups, static e => e.IsBackup && e.Health.IsHealthy), AvailabilityMode.Backup);
        }

        if (healthyDraining > 0)
        {
            return new(FilterDraining(endpoints, healthyDraining, healthyOnly: true), AvailabilityMode.Draining);
        }

        if (panic > 0 && others > 0)
        {
            return new(Filter(endpoints, others, static _ => true), AvailabilityMode.Panic);
        }

        if (panic > 0 && draining > 0)
        {
            return new(FilterDraining(endpoints, draining, healthyOnly: false), AvailabilityMode.Draining);
        }

        return new([], AvailabilityMode.None);
    }

    /// <summary>Non-draining, non-removed endpoints of positive weight that match <paramref name="include"/>.</summary>
    private static ImmutableArray<EndpointState> Filter(ImmutableArray<EndpointState> endpoints, int capacity, Func<EndpointState, bool> include)
    {
        var result = ImmutableArray.CreateBuilder<EndpointState>(Math.Max(capacity, 1));
        foreach (var e in endpoints)
        {
            if (!e.Health.IsRemoved && !e.Config.Draining && e.Weight > 0 && include(e))
            {
                result.Add(e);
            }
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<EndpointState> FilterDraining(ImmutableArray<EndpointState> endpoints, int capacity, bool healthyOnly)
    {
        var result = ImmutableArray.CreateBuilder<EndpointState>(capacity);
        foreach (var e in endpoints)
        {
            if (!e.Health.IsRemoved && e.Config.Draining && e.Weight > 0 && (!healthyOnly || e.Health.IsHealthy))
            {
                result.Add(e);
            }
        }

        return result.ToImmutable();
    }
}
