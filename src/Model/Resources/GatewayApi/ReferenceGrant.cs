using System.Text.Json;

namespace Ballast.Model.Resources.GatewayApi;

/// <summary>Lets objects of the <c>from</c> kinds and namespaces refer to the <c>to</c> kinds in this grant's namespace.</summary>
public sealed class ReferenceGrant : Resource
{
    public const string KindName = "ReferenceGrant";
    public ReferenceGrant() => ApiVersion = GatewayApiGroup.Group + "/v1beta1";
    public override string Kind { get; set; } = KindName;
    public ReferenceGrantSpec Spec { get; set; } = new();
    public JsonElement? Status { get; set; }
}

public sealed class ReferenceGrantSpec
{
    public List<ReferenceGrantFrom> From { get; set; } = [];
    public List<ReferenceGrantTo> To { get; set; } = [];
}

public sealed class ReferenceGrantFrom
{
    public string Group { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Namespace { get; set; } = "";
}

public sealed class ReferenceGrantTo
{
    public string Group { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? Name { get; set; }
}
