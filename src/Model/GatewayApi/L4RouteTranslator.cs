using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// TLS (passthrough by SNI), TCP and UDP routes: each becomes an L4 route of its listener. A TCP or UDP listener has
/// one destination, a TLS listener one per SNI name: the oldest route keeps it, a later one is not accepted there.
/// A backendRef that does not resolve gets no share (there is no status code to answer at layer 4).
/// </summary>
internal static class L4RouteTranslator
{
    public static ImmutableArray<BackendSnapshot> Backends(GatewayRoute route, List<L4RouteRule>? rules, BackendResolver resolver, RouteProblems problems)
    {
        var protocol = route is UdpRoute ? PoolProtocol.UDP : PoolProtocol.TCP;
        var result = ImmutableArray.CreateBuilder<BackendSnapshot>();
        if (rules is { Count: > 1 })
            problems.Unsupported.Add(("UnsupportedValue", $"spec.rules: {route.Kind} takes one rule here (its backends share the traffic); rules[1..] are ignored"));
        var refs = rules is { Count: > 0 } ? rules[0].BackendRefs ?? [] : [];
        for (var i = 0; i < refs.Count; i++)
        {
            var resolved = resolver.Resolve(route, refs[i], protocol, FieldPath.Spec.Field("rules").Index(0).Field("backendRefs").Index(i));
            if (!resolved.Ok) problems.Unresolved.Add((resolved.Reason!, resolved.Message!));
            else if ((refs[i].Weight ?? 1) > 0) result.Add(new BackendSnapshot(resolved.PoolId!, refs[i].Weight ?? 1));
        }
        return result.ToImmutable();
    }

    /// <summary>Places the route on a listener unless an older route holds the same destination; returns whether it did.</summary>
    public static bool Place(GatewayRoute route, Attached on, ImmutableArray<BackendSnapshot> backends)
    {
        var hosts = on.Listener.Kind == ListenerKind.TlsPassthrough ? [.. on.Hosts] : ImmutableArray<string>.Empty;
        var taken = on.Listener.L4Routes.Any(r => hosts.IsEmpty ? r.Hostnames.IsEmpty : r.Hostnames.Intersect(hosts).Any());
        if (taken) return false;
        if (backends.IsEmpty) return true; // attached, with nothing to send to (ResolvedRefs says why)
        on.Listener.L4Routes.Add(new L4RouteSnapshot { Id = HttpRouteTranslator.RuleId(route, null, 0), Hostnames = hosts, Backends = backends });
        return true;
    }
}
