namespace Ballast.Model.Resources.GatewayApi;

/// <summary>TLS passthrough by SNI (served as v1alpha2 and v1).</summary>
public sealed class TlsRoute : GatewayRoute
{
    public const string KindName = "TLSRoute";
    public TlsRoute() => ApiVersion = GatewayApiGroup.Group + "/v1alpha2";
    public override string Kind { get; set; } = KindName;
    public TlsRouteSpec Spec { get; set; } = new();
    public override List<ParentReference>? ParentRefs => Spec.ParentRefs;
    public override List<string>? RouteHostnames => Spec.Hostnames;
}

public sealed class TlsRouteSpec
{
    public List<ParentReference>? ParentRefs { get; set; }
    public List<string>? Hostnames { get; set; }
    public List<L4RouteRule>? Rules { get; set; }
}

public sealed class TcpRoute : GatewayRoute
{
    public const string KindName = "TCPRoute";
    public TcpRoute() => ApiVersion = GatewayApiGroup.Group + "/v1alpha2";
    public override string Kind { get; set; } = KindName;
    public L4RouteSpec Spec { get; set; } = new();
    public override List<ParentReference>? ParentRefs => Spec.ParentRefs;
    public override bool HasHostnames => false;
}

public sealed class UdpRoute : GatewayRoute
{
    public const string KindName = "UDPRoute";
    public UdpRoute() => ApiVersion = GatewayApiGroup.Group + "/v1alpha2";
    public override string Kind { get; set; } = KindName;
    public L4RouteSpec Spec { get; set; } = new();
    public override List<ParentReference>? ParentRefs => Spec.ParentRefs;
    public override bool HasHostnames => false;
}

public sealed class L4RouteSpec
{
    public List<ParentReference>? ParentRefs { get; set; }
    public List<L4RouteRule>? Rules { get; set; }
}

public sealed class L4RouteRule
{
    public string? Name { get; set; }
    public List<BackendRef>? BackendRefs { get; set; }
}
