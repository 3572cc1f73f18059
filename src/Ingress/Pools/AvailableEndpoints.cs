using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Pools;

/// <summary>
/// Which endpoints of a pool may take traffic: the non-draining primaries; when there is none, the backups;
/// when there is none of those either, the draining endpoints (better a terminating pod than a 503).
/// Health filtering joins here later (the health engineer's concern).
/// </summary>
public static class AvailableEndpoints
{
    public static ImmutableArray<EndpointState> Select(ImmutableArray<EndpointState> endpoints)
    {
        var primaries = endpoints.Where(e => !e.IsBackup && !e.Config.Draining && e.Weight > 0).ToImmutableArray();
        if (!primaries.IsEmpty) return primaries;
        var backups = endpoints.Where(e => e.IsBackup && !e.Config.Draining && e.Weight > 0).ToImmutableArray();
        if (!backups.IsEmpty) return backups;
        return endpoints.Where(e => e.Config.Draining && e.Weight > 0).ToImmutableArray();
    }
}
