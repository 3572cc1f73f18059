using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

/// <summary>The API group and version every Ballast resource is served under.</summary>
public static class ApiGroup
{
    public const string Group = "ballast.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
}

/// <summary>
/// The part of Kubernetes object metadata Ballast reads. Unknown metadata fields (managedFields,
/// ownerReferences …) are skipped rather than rejected: they belong to the API server, not the user.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class ResourceMetadata
{
    public string Name { get; set; } = "";
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public string? ResourceVersion { get; set; }
    public long? Generation { get; set; }
    public DateTimeOffset? CreationTimestamp { get; set; }
    public DateTimeOffset? DeletionTimestamp { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public List<string>? Finalizers { get; set; }
}

/// <summary>Identity of a namespaced resource: <c>namespace/name</c>.</summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public override string ToString() => Namespace.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}

public abstract class Resource
{
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;
    public abstract string Kind { get; set; }
    public ResourceMetadata Metadata { get; set; } = new();

    /// <summary>Cluster-scoped kinds (GatewayClass) have no namespace: their key carries "".</summary>
    [JsonIgnore]
    public virtual bool IsClusterScoped => false;

    /// <summary>Resources read from a folder carry no namespace; they live in "default", as kubectl would put them.</summary>
    [JsonIgnore]
    public string NamespaceOrDefault => IsClusterScoped ? "" : string.IsNullOrEmpty(Metadata.Namespace) ? "default" : Metadata.Namespace!;

    [JsonIgnore]
    public ResourceKey Key => new(Kind, NamespaceOrDefault, Metadata.Name);

    /// <summary>Where this resource was read from (file and line) in standalone mode; null when it came from the API server.</summary>
    [JsonIgnore]
    public SourceLocation? Source { get; set; }
}

/// <summary>A place in a YAML file, for messages that point a user at the line to fix.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
