using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.Core;

/// <summary>A core <c>v1</c> Namespace: only its labels matter (Gateway listeners select route namespaces by them).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class Namespace : Resource
{
    public const string KindName = "Namespace";
    public override string Kind { get; set; } = KindName;
    public override bool IsClusterScoped => true;
}
