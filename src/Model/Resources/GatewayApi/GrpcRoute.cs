using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.GatewayApi;

public sealed class GrpcRoute : GatewayRoute
{
    public const string KindName = "GRPCRoute";
    public override string Kind { get; set; } = KindName;
    public GrpcRouteSpec Spec { get; set; } = new();
    public override List<ParentReference>? ParentRefs => Spec.ParentRefs;
    public override List<string>? RouteHostnames => Spec.Hostnames;
}

public sealed class GrpcRouteSpec
{
    public List<ParentReference>? ParentRefs { get; set; }
    public List<string>? Hostnames { get; set; }
    public List<GrpcRouteRule>? Rules { get; set; }
}

public sealed class GrpcRouteRule
{
    public string? Name { get; set; }
    public List<GrpcRouteMatch>? Matches { get; set; }
    /// <summary>The HTTP filters that make sense for gRPC (header modifiers, mirror).</summary>
    public List<HttpRouteFilter>? Filters { get; set; }
    public List<HttpBackendRef>? BackendRefs { get; set; }
    public System.Text.Json.JsonElement? SessionPersistence { get; set; }
}

public sealed class GrpcRouteMatch
{
    public GrpcMethodMatch? Method { get; set; }
    public List<HttpValueMatch>? Headers { get; set; }
}

public sealed class GrpcMethodMatch
{
    public StringMatchType? Type { get; set; }
    public string? Service { get; set; }
    public string? Method { get; set; }
}
