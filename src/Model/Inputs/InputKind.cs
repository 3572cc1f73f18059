using System.Collections.Immutable;

namespace Ballast.Model.Inputs;

/// <summary>A kind the YAML loader and the operator read: its API group, the versions served, and the C# type it becomes.</summary>
/// <param name="ClusterScoped">A kind without namespace (GatewayClass): its key carries "" as namespace.</param>
public sealed record InputKind(string Group, string Kind, ImmutableArray<string> Versions, Type Type, bool ClusterScoped = false)
{
    public string ApiVersion(string version) => Group.Length == 0 ? version : $"{Group}/{version}";
    /// <summary>The version to watch and to suggest, when the API server serves it (the first of <see cref="Versions"/>).</summary>
    public string PreferredApiVersion => ApiVersion(Versions[0]);
    /// <summary>The resource name in URLs: <c>gateways</c>, <c>gatewayclasses</c>, <c>ingresses</c>.</summary>
    public string Plural => Kind.ToLowerInvariant() + (Kind.EndsWith('s') ? "es" : "s");
}

/// <summary>What the loader does with a document of a known group whose kind or version it does not read.</summary>
public enum UnknownKinds
{
    /// <summary>Ballast's own group: a mistake, reported as an error.</summary>
    Error,
    /// <summary>A standard Ballast implements in part (Gateway API): reported as a warning and skipped.</summary>
    Warn,
    /// <summary>The core group: Deployments, ConfigMaps … are kubectl's business, skipped without a word.</summary>
    Skip,
}

/// <summary>An API group the loader reads some kinds of.</summary>
public sealed record InputGroup(string Group, UnknownKinds Unknown, ImmutableArray<InputKind> Kinds);
