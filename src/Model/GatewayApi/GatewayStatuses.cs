using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// Statuses in the spec's words. GatewayClass: Accepted. Gateway: Accepted (ListenersNotValid when some or all
/// listeners cannot serve), Programmed, addresses, and per listener supportedKinds, attachedRoutes, Accepted,
/// ResolvedRefs, Conflicted, Programmed. Route: per parent Accepted and ResolvedRefs with the spec's reasons.
/// Every condition carries the object's generation; transition times are the operator's (the Compiler has no clock).
/// </summary>
internal static class GatewayStatuses
{
    public static IEnumerable<ResourceStatus> Build(List<(GatewayClass Resource, ResourceReport Report)> classes, IEnumerable<GatewayState> gateways,
        List<RouteResult> routes, FrontEndTranslation translation, IReadOnlyDictionary<PortClaim, string> refused)
    {
        foreach (var (gatewayClass, report) in classes)
        {
            var g = gatewayClass.Metadata.Generation;
            var accepted = gatewayClass.Spec.ParametersRef is null
                ? C("Accepted", true, "Accepted", "Ballast handles Gateways of this class", g)
                : C("Accepted", false, "InvalidParameters", "Ballast takes no parametersRef: configure it with BackendPools and LoadBalancerPolicies", g);
            yield return Status(report, new GatewayClassStatus { Conditions = [accepted] }, [accepted]);
        }

        var lostPorts = refused.Where(r => translation.Ports.Contains(r.Key)).ToDictionary(r => (r.Key.Owner, r.Key.Listener.Port), r => r.Value);
        foreach (var gateway in gateways) yield return Gateway(gateway, lostPorts);
        foreach (var route in routes) yield return Route(route);
    }

    private static ResourceStatus Gateway(GatewayState state, Dictionary<(Resource, int), string> lostPorts)
    {
        var g = state.Gateway.Metadata.Generation;
        var listeners = new List<ListenerStatus>();
        var programmedCount = 0;
        foreach (var l in state.Listeners)
        {
            var accepted = l.Accepted;
            if (l.Usable && lostPorts.TryGetValue((state.Gateway, l.Spec.Port), out var lost)) accepted = new(false, "PortUnavailable", lost);
            var programmed = accepted.Ok && l.Usable;
            if (programmed) programmedCount++;
            listeners.Add(new ListenerStatus
            {
                Name = l.Spec.Name,
                SupportedKinds = l.SupportedKinds,
                AttachedRoutes = programmed ? l.AttachedRoutes : 0,
                Conditions =
                [
                    C("Accepted", accepted.Ok, accepted.Reason, accepted.Message, g),
                    C("ResolvedRefs", l.ResolvedRefs.Ok, l.ResolvedRefs.Reason, l.ResolvedRefs.Message, g),
                    C("Conflicted", l.Conflicted.Ok, l.Conflicted.Reason, l.Conflicted.Message, g),
                    C("Programmed", programmed, programmed ? "Programmed" : "Invalid", programmed ? "" : "this listener is not served (see its other conditions)", g),
                ],
            });
        }
        var all = state.Listeners.Count;
        var gatewayAccepted = programmedCount == all
            ? C("Accepted", true, "Accepted", "", g)
            : C("Accepted", programmedCount > 0, "ListenersNotValid", $"{all - programmedCount} of {all} listeners cannot be served (see status.listeners)", g);
        var gatewayProgrammed = programmedCount > 0
            ? C("Programmed", true, "Programmed", "", g)
            : C("Programmed", false, "Invalid", "no listener can be served", g);
        var status = new GatewayStatus
        {
            Addresses = [.. state.Addresses.Select(a => new GatewayStatusAddress { Value = a })],
            Conditions = [gatewayAccepted, gatewayProgrammed],
            Listeners = listeners,
        };
        return Status(state.Report, status, [gatewayAccepted, gatewayProgrammed]);
    }

    private static ResourceStatus Route(RouteResult r)
    {
        var g = r.Route.Metadata.Generation;
        var unsupported = r.Problems.Unsupported.Distinct().ToList();
        var unresolved = r.Problems.Unresolved.Distinct().ToList();
        var resolved = unresolved.Count == 0
            ? C("ResolvedRefs", true, "ResolvedRefs", "", g)
            : C("ResolvedRefs", false, unresolved[0].Reason, string.Join("; ", unresolved.Select(u => u.Message)), g);
        var parents = new List<RouteParentStatus>();
        foreach (var o in r.Outcomes)
        {
            var accepted = !o.Accepted.Ok ? C("Accepted", false, o.Accepted.Reason, o.Accepted.Message, g)
                : unsupported.Count > 0 ? C("Accepted", false, unsupported[0].Reason, string.Join("; ", unsupported.Select(u => u.Message)), g)
                : C("Accepted", true, "Accepted", "", g);
            parents.Add(new RouteParentStatus
            {
                ParentRef = o.Ref,
                ControllerName = GatewayApiGroup.ControllerName,
                Conditions = [accepted, resolved],
            });
        }
        var anyAccepted = parents.Any(p => p.Conditions[0].Status == ConditionStatus.True);
        var summary = parents.Select(p => p.Conditions[0]).FirstOrDefault(c => c.Status == ConditionStatus.False && !anyAccepted)
                      ?? C("Accepted", true, "Accepted", "", g);
        return Status(r.Report, new RouteStatus { Parents = parents }, [summary, resolved]);
    }

    private static GatewayCondition C(string type, bool ok, string reason, string message, long? generation) => new()
    {
        Type = type,
        Status = ok ? ConditionStatus.True : ConditionStatus.False,
        Reason = reason,
        Message = message,
        ObservedGeneration = generation,
    };

    private static ResourceStatus Status(ResourceReport report, object kindStatus, IEnumerable<GatewayCondition> conditions) => new()
    {
        Resource = report.Key,
        ObservedGeneration = report.Resource.Metadata.Generation,
        KindStatus = kindStatus,
        Conditions = [.. conditions.Select(c => new Condition { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, ObservedGeneration = c.ObservedGeneration })],
    };
}
