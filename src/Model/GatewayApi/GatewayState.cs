using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>One condition as it will be written: status, reason, message.</summary>
internal sealed record ConditionValue(bool Ok, string Reason, string Message = "");

/// <summary>A Gateway listener after its own checks, and what routes attached to it.</summary>
internal sealed class ListenerState(GatewayListener spec, int index, FieldPath field)
{
    public GatewayListener Spec { get; } = spec;
    public int Index { get; } = index;
    public FieldPath Field { get; } = field;
    /// <summary>Lower case; null: any host.</summary>
    public string? Hostname { get; init; }
    public ListenerKind? Kind { get; init; }
    public List<RouteGroupKind> SupportedKinds { get; } = [];
    public ConditionValue Accepted { get; set; } = new(true, "Accepted");
    public ConditionValue ResolvedRefs { get; set; } = new(true, "ResolvedRefs");
    public ConditionValue Conflicted { get; set; } = new(false, "NoConflicts");
    public ListenerTlsSnapshot? Tls { get; set; }
    public int AttachedRoutes { get; set; }

    /// <summary>Routes attach and traffic flows only through a listener that is accepted, not in conflict, and (HTTPS) has a certificate.</summary>
    public bool Usable => Accepted.Ok && !Conflicted.Ok && Kind is not null && (Kind != ListenerKind.Https || Tls is not null);

    /// <summary>HTTP routes on this listener, as precedence entries (one per match and host specificity).</summary>
    public List<RoutePrecedence.Entry> Routes { get; } = [];
    public List<L4RouteSnapshot> L4Routes { get; } = [];

    public bool Allows(string routeKind) => SupportedKinds.Any(k => k.Kind == routeKind);
}

internal sealed class GatewayState(Gateway gateway, ResourceReport report, int order)
{
    public Gateway Gateway { get; } = gateway;
    public ResourceReport Report { get; } = report;
    /// <summary>Position in resource order, for messages and ties.</summary>
    public int Order { get; } = order;
    public List<ListenerState> Listeners { get; } = [];
    public ImmutableArray<string> Addresses { get; init; } = [];
}
