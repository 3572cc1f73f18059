using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.Core;

/// <summary>A core <c>v1</c> Secret (for HTTPS listeners: <c>kubernetes.io/tls</c> with <c>tls.crt</c> and <c>tls.key</c>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class Secret : Resource
{
    public const string KindName = "Secret";
    public const string TlsType = "kubernetes.io/tls";
    public override string Kind { get; set; } = KindName;
    public string? Type { get; set; }
    /// <summary>Base64 values, as the API serves them.</summary>
    public Dictionary<string, string>? Data { get; set; }
    /// <summary>Plain values, as people write them in YAML (they win over <see cref="Data"/>, as the API server merges them).</summary>
    public Dictionary<string, string>? StringData { get; set; }
}
