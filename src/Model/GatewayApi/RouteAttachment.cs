using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources.GatewayApi;

namespace Ballast.Model.GatewayApi;

/// <summary>One listener a route attached to, with the host names it serves there (empty: any host).</summary>
internal sealed record Attached(GatewayState Gateway, ListenerState Listener, List<string> Hosts);

/// <summary>What became of one of a route's parentRefs: its Accepted condition, and the listeners it attached to.</summary>
internal sealed record ParentOutcome(ParentReference Ref, GatewayState Gateway, ConditionValue Accepted, List<Attached> Listeners);

/// <summary>
/// Which listeners a route attaches to, parentRef by parentRef: the Gateway must be one of Ballast's; <c>sectionName</c>
/// and <c>port</c> narrow it to listeners of that name and port (none: NoMatchingParent); a listener must allow the
/// route's kind and namespace (none: NotAllowedByListeners) and share a host name with the route (none:
/// NoMatchingListenerHostname). Parents that are not Ballast's Gateways get no status entry from Ballast.
/// </summary>
internal static class RouteAttachment
{
    public static List<ParentOutcome> Attach(GatewayRoute route, IReadOnlyDictionary<(string Ns, string Name), GatewayState> gateways,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var outcomes = new List<ParentOutcome>();
        var routeHosts = (route.RouteHostnames ?? []).Select(h => Names.NormalizeHost(h, allowWildcard: true) ?? h.ToLowerInvariant()).ToList();
        foreach (var parent in route.ParentRefs ?? [])
        {
            if ((parent.Group ?? GatewayApiGroup.Group) != GatewayApiGroup.Group || (parent.Kind ?? Gateway.KindName) != Gateway.KindName) continue;
            var ns = string.IsNullOrEmpty(parent.Namespace) ? route.NamespaceOrDefault : parent.Namespace!;
            if (!gateways.TryGetValue((ns, parent.Name), out var gateway)) continue;

            var named = gateway.Listeners
                .Where(l => (parent.SectionName is null || l.Spec.Name == parent.SectionName) && (parent.Port is null || l.Spec.Port == parent.Port))
                .ToList();
            if (named.Count == 0)
            {
                var which = parent.SectionName is not null && parent.Port is not null ? $"named \"{parent.SectionName}\" on port {parent.Port}"
                    : parent.SectionName is not null ? $"named \"{parent.SectionName}\"" : $"on port {parent.Port}";
                outcomes.Add(new(parent, gateway, new(false, "NoMatchingParent", $"Gateway {ns}/{parent.Name} has no listener {which}"), []));
                continue;
            }
            var allowed = named.Where(l => l.Usable && l.Allows(route.Kind) && NamespaceAllowed(l, gateway, route.NamespaceOrDefault, namespaceLabels)).ToList();
            if (allowed.Count == 0)
            {
                var why = named.All(l => !l.Usable) ? "no listener that matches is ready (see the Gateway's status)"
                    : $"no listener that matches allows {route.Kind}s from namespace \"{route.NamespaceOrDefault}\"";
                outcomes.Add(new(parent, gateway, new(false, "NotAllowedByListeners", why), []));
                continue;
            }
            var attached = new List<Attached>();
            foreach (var l in allowed)
            {
                // TCP and UDP routes have no host names: every host is theirs.
                if (!route.HasHostnames) { attached.Add(new(gateway, l, [])); continue; }
                if (Hostnames.OnListener(routeHosts, l.Hostname, out var hosts)) attached.Add(new(gateway, l, hosts));
            }
            outcomes.Add(attached.Count == 0
                ? new(parent, gateway, new(false, "NoMatchingListenerHostname", "none of the route's hostnames matches a listener's hostname"), [])
                : new(parent, gateway, new(true, "Accepted"), attached));
        }
        return outcomes;
    }

    private static bool NamespaceAllowed(ListenerState l, GatewayState gateway, string routeNs, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var from = l.Spec.AllowedRoutes?.Namespaces?.From ?? FromNamespaces.Same;
        return from switch
        {
            FromNamespaces.All => true,
            FromNamespaces.Same => routeNs == gateway.Gateway.NamespaceOrDefault,
            FromNamespaces.Selector => l.Spec.AllowedRoutes?.Namespaces?.Selector is { } selector && Selects(selector, Labels(routeNs, namespaceLabels)),
            _ => false,
        };
    }

    /// <summary>A namespace's labels, with the <c>kubernetes.io/metadata.name</c> label every namespace carries.</summary>
    private static Dictionary<string, string> Labels(string ns, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var labels = namespaceLabels.TryGetValue(ns, out var l) ? new Dictionary<string, string>(l) : [];
        labels["kubernetes.io/metadata.name"] = ns;
        return labels;
    }

    internal static bool Selects(LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in selector.MatchLabels ?? [])
            if (labels.GetValueOrDefault(k) != v) return false;
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(e.Key, out var value);
            var ok = e.Operator switch
            {
                "In" => has && (e.Values ?? []).Contains(value!),
                "NotIn" => !has || !(e.Values ?? []).Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
