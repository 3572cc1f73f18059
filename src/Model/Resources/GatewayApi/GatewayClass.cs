using System.Text.Json;

namespace Ballast.Model.Resources.GatewayApi;

/// <summary>A class of Gateways; Ballast handles those whose controllerName is <see cref="GatewayApiGroup.ControllerName"/>.</summary>
public sealed class GatewayClass : Resource
{
    public const string KindName = "GatewayClass";
    public GatewayClass() => ApiVersion = GatewayApiGroup.V1;
    public override string Kind { get; set; } = KindName;
    public override bool IsClusterScoped => true;
    public GatewayClassSpec Spec { get; set; } = new();
    public JsonElement? Status { get; set; }
}

public sealed class GatewayClassSpec
{
    public string ControllerName { get; set; } = "";
    public JsonElement? ParametersRef { get; set; }
    public string? Description { get; set; }
}

/// <summary>The status Ballast writes on its GatewayClasses.</summary>
public sealed class GatewayClassStatus
{
    public List<GatewayCondition> Conditions { get; set; } = [];
}
