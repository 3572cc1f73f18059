using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.Core;

/// <summary>
/// The part of a core <c>v1</c> Service standalone mode reads from the folder: its ports. Fields Ballast does not
/// use (selector, clusterIP, type …) are skipped: the object is kubectl's, not ours.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class Service : Resource
{
    public const string KindName = "Service";
    public override string Kind { get; set; } = KindName;
    public ServiceSpec Spec { get; set; } = new();
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class ServiceSpec
{
    public List<ServicePort>? Ports { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class ServicePort
{
    public string? Name { get; set; }
    public int Port { get; set; }
    /// <summary>TCP (default), UDP or SCTP.</summary>
    public string? Protocol { get; set; }
    /// <summary>The application protocol (e.g. <c>kubernetes.io/h2c</c>), which Gateway API backends honour.</summary>
    public string? AppProtocol { get; set; }
}
