using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>A policy after its own rules ran, before it meets the other policies on shared ports.</summary>
internal sealed class CompiledPolicy(LoadBalancerPolicy policy, ResourceReport report, int order)
{
    public LoadBalancerPolicy Policy { get; } = policy;
    public ResourceReport Report { get; } = report;
    /// <summary>Position in resource order (creationTimestamp, then namespace/name): earlier wins conflicts and ties.</summary>
    public int Order { get; } = order;
    public List<CompiledListener> Listeners { get; } = [];
    public List<CompiledRoute> Routes { get; } = [];
    public List<CompiledL4Route> L4Routes { get; } = [];
    public List<RouteSplitStatus> Splits { get; } = [];
    /// <summary>Its <c>spec.traffic</c> for the Gateway API objects its <c>targetRefs</c> name; null when it has none.</summary>
    public TrafficAttachment? Traffic { get; set; }
}

/// <param name="Hostnames">Lower-cased <c>listener.hostnames</c>: the hosts of this listener's routes that name none.</param>
internal sealed record CompiledListener(ListenerSpec Spec, FieldPath Field, ListenerKind Kind, string Address, ImmutableArray<string> Hostnames,
    ListenerTlsSnapshot? Tls = null, AccessControlSnapshot? AccessControl = null, ImmutableArray<string> StripRequestHeaderPrefixes = default,
    AccessLogSnapshot? AccessLog = null);

/// <param name="OverridesAccessLog">The route sets its own accessLog (its <c>Route.AccessLog</c>, null when Off); otherwise each listener's applies.</param>
internal sealed record CompiledRoute(RouteSnapshot Route, int Index, FieldPath Field, ImmutableArray<string> ListenerNames, string MatchKey,
    bool OverridesAccessLog = false);

internal sealed record CompiledL4Route(L4RouteSnapshot Route, int Index, FieldPath Field, string ListenerName);
