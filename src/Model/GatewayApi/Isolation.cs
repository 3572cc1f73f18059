using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// Listener isolation on a shared port: a request belongs to the listener with the most specific hostname that
/// matches it, and never falls through to a less specific listener's routes. Two pieces make that so in one
/// route table: a route gives up the exact host names a more specific listener owns, and each listener whose
/// hostname a less specific listener also covers gets a last-resort 404 for its names, which sorts after its
/// own routes (same host, any path, last in resource order) and before the wider listener's (host precedence).
/// </summary>
internal static class Isolation
{
    /// <summary>The host names of a route on a listener, less those another listener owns; null when none is left.</summary>
    public static ImmutableArray<string>? HostsOf(Attached on)
    {
        var others = on.Gateway.Listeners.Where(l => l != on.Listener && l.Usable && l.Spec.Port == on.Listener.Spec.Port).ToList();
        if (on.Hosts.Count == 0) return [];
        var kept = on.Hosts.Where(h => Hostnames.IsWildcard(h) || Owner(h, on.Listener, others) == on.Listener).ToImmutableArray();
        return kept.IsEmpty ? null : kept;
    }

    /// <summary>The most specific listener hostname matching an exact host (ties: the listener itself).</summary>
    private static ListenerState Owner(string host, ListenerState self, List<ListenerState> others)
    {
        var best = self;
        foreach (var l in others)
            if (l.Hostname is { } lh && Hostnames.Within(host, lh) && Hostnames.Specificity(lh) < Hostnames.Specificity(best.Hostname)) best = l;
        return best;
    }

    public static IEnumerable<RoutePrecedence.Entry> Catchers(GatewayState gateway, List<ListenerState> listeners)
    {
        if (listeners[0].Kind is not (ListenerKind.Http or ListenerKind.Https)) yield break;
        foreach (var l in listeners)
        {
            if (l.Hostname is not { } h) continue;
            var covered = listeners.Any(o => o != l && (o.Hostname is null || (o.Hostname != h && Hostnames.Within(h, o.Hostname))));
            if (!covered) continue;
            var route = new RouteSnapshot
            {
                Id = $"gateway:{gateway.Gateway.NamespaceOrDefault}/{gateway.Gateway.Metadata.Name}/{l.Spec.Name}",
                Match = new MatchSnapshot { Hosts = [h] },
                Backends = [new BackendSnapshot("", 1) { Status = 404 }],
            };
            yield return new RoutePrecedence.Entry(route, int.MaxValue, l.Index);
        }
    }
}
