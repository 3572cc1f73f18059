using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// Which LoadBalancerPolicy's <c>spec.traffic</c> a Gateway API route gets (policy attachment, GEP-713 in spirit): a
/// policy targeting the route itself (same namespace, kind and name), else one targeting the Gateway it attached
/// through (the Gateway's namespace); the more specific replaces the other whole, and of two policies on one target the
/// older applies. A targetRef naming nothing of Ballast's is reported on its policy (<c>ResolvedRefs=False</c>,
/// <c>TargetNotFound</c>).
/// </summary>
internal sealed class PolicyAttachment(IReadOnlyList<TrafficAttachment> attachments)
{
    public RouteTraffic? For(GatewayRoute route, GatewayState gateway) =>
        Find(route.NamespaceOrDefault, route.Kind, route.Metadata.Name)
        ?? Find(gateway.Gateway.NamespaceOrDefault, Gateway.KindName, gateway.Gateway.Metadata.Name);

    private RouteTraffic? Find(string ns, string kind, string name) =>
        attachments.Where(a => a.Namespace == ns && a.Targets.Any(t => t.Target.Kind == kind && t.Target.Name == name))
            .OrderBy(a => a.Order).FirstOrDefault()?.Traffic;

    /// <summary>Reports every targetRef that names no Gateway of Ballast's and no route attached to one.</summary>
    public void ReportMissing(IEnumerable<GatewayState> gateways, IEnumerable<GatewayRoute> routes)
    {
        var known = gateways.Select(g => (g.Gateway.NamespaceOrDefault, Gateway.KindName, g.Gateway.Metadata.Name))
            .Concat(routes.Select(r => (r.NamespaceOrDefault, r.Kind, r.Metadata.Name)))
            .ToHashSet();
        foreach (var a in attachments)
            foreach (var (target, field) in a.Targets)
                if (!known.Contains((a.Namespace, target.Kind, target.Name)))
                    a.Report.Unresolved(ConditionReasons.TargetNotFound, field,
                        $"{target.Kind} {a.Namespace}/{target.Name} not found (or not attached to a Gateway of Ballast's): its traffic policy applies to nothing");
    }
}
