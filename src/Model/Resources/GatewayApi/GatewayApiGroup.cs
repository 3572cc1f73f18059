namespace Ballast.Model.Resources.GatewayApi;

/// <summary>The Gateway API group, and the controller name Ballast answers for.</summary>
public static class GatewayApiGroup
{
    public const string Group = "gateway.networking.k8s.io";
    public const string V1 = Group + "/v1";
    /// <summary>GatewayClasses with this <c>spec.controllerName</c> are Ballast's; others are left alone (no status written).</summary>
    public const string ControllerName = "ballast.dev/gateway-controller";
}
