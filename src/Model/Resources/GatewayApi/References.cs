namespace Ballast.Model.Resources.GatewayApi;

/// <summary>A route's <c>parentRefs[]</c> entry: a Gateway, and optionally one listener of it (by name or port).</summary>
public sealed class ParentReference
{
    public string? Group { get; set; }
    public string? Kind { get; set; }
    public string? Namespace { get; set; }
    public string Name { get; set; } = "";
    public string? SectionName { get; set; }
    public int? Port { get; set; }
}

/// <summary>A <c>backendRefs[]</c> entry: a Service (the core group, kind Service, when group and kind are absent) and its port.</summary>
public class BackendObjectReference
{
    public string? Group { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
    public string? Namespace { get; set; }
    public int? Port { get; set; }
}

/// <summary>A weighted backend (TLS/TCP/UDP routes; HTTP and gRPC add filters).</summary>
public class BackendRef : BackendObjectReference
{
    /// <summary>Relative share of the rule's traffic; 1 when absent, 0 takes none.</summary>
    public int? Weight { get; set; }
}

/// <summary>A certificate (a <c>kubernetes.io/tls</c> Secret) of an HTTPS or TLS-terminating listener.</summary>
public sealed class SecretObjectReference
{
    public string? Group { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
    public string? Namespace { get; set; }
}

public sealed class LocalObjectReference
{
    public string Group { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>The kind of a route, as in <c>allowedRoutes.kinds</c> and a listener's <c>supportedKinds</c>.</summary>
public sealed class RouteGroupKind
{
    public string? Group { get; set; }
    public string Kind { get; set; } = "";
}

/// <summary>A label selector (matchLabels and matchExpressions), as Kubernetes writes it.</summary>
public sealed class LabelSelector
{
    public Dictionary<string, string>? MatchLabels { get; set; }
    public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}

public sealed class LabelSelectorRequirement
{
    public string Key { get; set; } = "";
    /// <summary>In, NotIn, Exists, DoesNotExist.</summary>
    public string Operator { get; set; } = "";
    public List<string>? Values { get; set; }
}

/// <summary>A condition as Gateway API writes it (the Kubernetes metav1.Condition).</summary>
public sealed class GatewayCondition
{
    public string Type { get; set; } = "";
    public string Status { get; set; } = "";
    public long? ObservedGeneration { get; set; }
    public DateTimeOffset? LastTransitionTime { get; set; }
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
}

/// <summary>The status part of a route: one entry per parent this controller handles.</summary>
public sealed class RouteStatus
{
    public List<RouteParentStatus> Parents { get; set; } = [];
}

public sealed class RouteParentStatus
{
    public ParentReference ParentRef { get; set; } = new();
    public string ControllerName { get; set; } = "";
    public List<GatewayCondition> Conditions { get; set; } = [];
}
