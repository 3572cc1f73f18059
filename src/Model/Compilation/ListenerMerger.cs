using System.Collections.Immutable;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>
/// Puts the listeners of all policies on their ports. Two HTTP (or two HTTPS) listeners on one port
/// become one listener carrying both policies' routes; any other sharing is a conflict reported on the
/// later policy, naming the earlier. Two routes with the identical match on one port: the later one is
/// dropped with a conflict. Policies arrive in resource order, so "earlier" is stable.
/// </summary>
internal static class ListenerMerger
{
    private sealed class Port(CompiledPolicy owner, CompiledListener listener)
    {
        public CompiledPolicy Owner { get; } = owner;
        public CompiledListener Listener { get; } = listener;
        public List<RoutePrecedence.Entry> Routes { get; } = [];
        public List<L4RouteSnapshot> L4Routes { get; } = [];
        public Dictionary<string, (CompiledPolicy Policy, CompiledRoute Route)> Matches { get; } = new(StringComparer.Ordinal);
        /// <summary>HTTPS: the TLS settings of every listener on this port, earliest first (certificates are pooled).</summary>
        public List<ListenerTlsSnapshot> Tls { get; } = [];
    }

    /// <summary>
    /// A route that names no hosts takes its listener's <c>hostnames</c> (when the listener has some); one without an
    /// accessLog of its own takes its listener's (its own listener's, also where policies share a port); a redirect
    /// without a port takes the scheme's well-known port when it sets a scheme, else the listener's (Gateway API's rule):
    /// the port clients reach the listener on (<see cref="CompilerInput.PublicPorts"/>), not the container port.
    /// </summary>
    private static CompiledRoute WithListenerDefaults(CompiledRoute route, CompiledListener listener, bool redirectPortFromListener,
        IReadOnlyDictionary<int, int>? publicPorts)
    {
        if (redirectPortFromListener && route.Route.Redirect is { Port: null } redirect)
        {
            var port = redirect.Scheme switch { "http" => 80, "https" => 443, _ => publicPorts?.GetValueOrDefault(listener.Spec.Port, listener.Spec.Port) ?? listener.Spec.Port };
            route = route with { Route = route.Route with { Redirect = redirect with { Port = port } } };
        }
        if (!route.OverridesAccessLog && listener.AccessLog is not null)
            route = route with { Route = route.Route with { AccessLog = listener.AccessLog } };
        if (!route.Route.Match.Hosts.IsEmpty || listener.Hostnames.IsEmpty) return route;
        var match = route.Route.Match with { Hosts = listener.Hostnames };
        return route with { Route = route.Route with { Match = match }, MatchKey = MatchRules.Key(match) };
    }

    /// <param name="taken">Ports another input owns (see <see cref="PortArbiter"/>): listeners there are refused with the message.</param>
    /// <param name="redirectPortFromListener">
    /// False for Ingress objects: ingress-nginx redirects keep the port the client used (its <c>port_in_redirect off</c>),
    /// so a redirect without a port or scheme keeps the request's.
    /// </param>
    /// <param name="publicPorts">The port clients reach each listener port on, when not itself (see <see cref="CompilerInput.PublicPorts"/>).</param>
    public static ImmutableArray<ListenerSnapshot> Merge(IReadOnlyList<CompiledPolicy> policies, IReadOnlyDictionary<int, string>? taken = null,
        bool redirectPortFromListener = true, IReadOnlyDictionary<int, int>? publicPorts = null)
    {
        var ports = new SortedDictionary<int, Port>();
        foreach (var policy in policies)
        {
            // Which of this policy's listeners made it onto a port (name → port).
            var placed = new Dictionary<string, Port>(StringComparer.Ordinal);
            foreach (var l in policy.Listeners)
            {
                if (taken?.GetValueOrDefault(l.Spec.Port) is { } owner)
                {
                    policy.Report.Conflict(l.Field.Field("port"), owner);
                    continue;
                }
                if (!ports.TryGetValue(l.Spec.Port, out var port))
                {
                    ports[l.Spec.Port] = placed[l.Spec.Name] = new Port(policy, l);
                    if (l.Tls is not null) placed[l.Spec.Name].Tls.Add(l.Tls);
                    continue;
                }
                var earlier = $"{port.Owner.Report.Key} {port.Listener.Field}";
                if (port.Listener.Kind != l.Kind || l.Kind is not (ListenerKind.Http or ListenerKind.Https))
                    policy.Report.Conflict(l.Field.Field("port"), $"port {l.Spec.Port} is already used by {earlier} ({port.Listener.Spec.Protocol}); only HTTP or HTTPS listeners of the same protocol share a port");
                else if (port.Listener.Address != l.Address)
                    policy.Report.Conflict(l.Field.Field("address"), $"port {l.Spec.Port} is already bound on {port.Listener.Address} by {earlier}");
                else
                {
                    placed[l.Spec.Name] = port;
                    if (l.Tls is not null) port.Tls.Add(l.Tls);
                }
            }

            var own = policy.Listeners.GroupBy(l => l.Spec.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var declared in policy.Routes)
                foreach (var name in declared.ListenerNames)
                {
                    if (!placed.TryGetValue(name, out var port)) continue;
                    var route = WithListenerDefaults(declared, own[name], redirectPortFromListener, publicPorts);
                    if (port.Matches.TryGetValue(route.MatchKey, out var first))
                    {
                        if (first.Policy != policy || first.Route.Index != route.Index)
                            policy.Report.Conflict(route.Field.Field("match"),
                                $"the same match as {first.Policy.Report.Key} {first.Route.Field} on port {port.Listener.Spec.Port}; this route is ignored there");
                        continue;
                    }
                    port.Matches[route.MatchKey] = (policy, route);
                    port.Routes.Add(new RoutePrecedence.Entry(route.Route, policy.Order, route.Index));
                }

            foreach (var route in policy.L4Routes)
                if (placed.TryGetValue(route.ListenerName, out var port)) port.L4Routes.Add(route.Route);
        }

        return [.. ports.Values.Select(p => new ListenerSnapshot
        {
            Name = p.Listener.Spec.Name,
            Address = p.Listener.Address,
            Port = p.Listener.Spec.Port,
            Kind = p.Listener.Kind,
            Routes = [.. RoutePrecedence.Order(p.Routes)],
            L4Routes = [.. p.L4Routes],
            AcceptProxyProtocol = p.Listener.Spec.AcceptProxyProtocol ?? false,
            MaxConnections = p.Listener.Spec.MaxConnections,
            Tls = MergeTls(p.Tls),
            AccessControl = p.Listener.AccessControl,
            StripRequestHeaderPrefixes = p.Listener.StripRequestHeaderPrefixes.IsDefault ? [] : p.Listener.StripRequestHeaderPrefixes,
            AccessLog = p.Listener.AccessLog,
        })];
    }

    /// <summary>
    /// HTTPS listeners sharing a port pool their certificates (SNI chooses among all; the earliest policy's first
    /// certificate is the default). Redirect and HSTS are per listener in the spec but per port on the wire: any
    /// listener asking for them turns them on, the longest HSTS max-age wins.
    /// </summary>
    private static ListenerTlsSnapshot? MergeTls(List<ListenerTlsSnapshot> all)
    {
        if (all.Count == 0) return null;
        if (all.Count == 1) return all[0];
        var hsts = all.Where(t => t.Hsts is not null).Select(t => t.Hsts).Max();
        var anyHost = all.Any(t => t.Hostnames.IsEmpty);
        return new ListenerTlsSnapshot
        {
            Certificates = [.. all.SelectMany(t => t.Certificates)],
            RedirectHttp = all.Any(t => t.RedirectHttp),
            Hsts = hsts,
            Hostnames = anyHost ? [] : [.. all.SelectMany(t => t.Hostnames).Distinct(StringComparer.Ordinal)],
        };
    }
}
