using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.Core;

/// <summary>A <c>discovery.k8s.io/v1</c> EndpointSlice: the endpoints of the Service named by its <c>kubernetes.io/service-name</c> label.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class EndpointSlice : Resource
{
    public const string KindName = "EndpointSlice";
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public override string Kind { get; set; } = KindName;
    public string? AddressType { get; set; }
    public List<SliceEndpoint>? Endpoints { get; set; }
    public List<SlicePort>? Ports { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class SliceEndpoint
{
    public List<string> Addresses { get; set; } = [];
    public SliceConditions? Conditions { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class SliceConditions
{
    public bool? Ready { get; set; }
    public bool? Serving { get; set; }
    public bool? Terminating { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class SlicePort
{
    public string? Name { get; set; }
    public int? Port { get; set; }
    public string? Protocol { get; set; }
}
