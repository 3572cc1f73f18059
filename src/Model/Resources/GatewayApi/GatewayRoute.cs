using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.GatewayApi;

/// <summary>What every Gateway API route kind shares: the Gateways it attaches to and, for some, the host names it serves.</summary>
public abstract class GatewayRoute : Resource
{
    protected GatewayRoute() => ApiVersion = GatewayApiGroup.V1;

    [JsonIgnore] public abstract List<ParentReference>? ParentRefs { get; }

    /// <summary>The route's host names (HTTP, gRPC and TLS routes; null when it names none).</summary>
    [JsonIgnore] public virtual List<string>? RouteHostnames => null;

    /// <summary>False for TCP and UDP routes, which have no host names: every listener host is theirs.</summary>
    [JsonIgnore] public virtual bool HasHostnames => true;

    public JsonElement? Status { get; set; }
}
