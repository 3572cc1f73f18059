using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

public enum Severity { Error, Warning }

/// <summary>
/// One problem found in the input: which resource, which field (<c>spec.routes[2].backends[0].pool</c>),
/// and what is wrong. Errors are data, never exceptions.
/// </summary>
public sealed record Diagnostic(ResourceKey? Resource, string FieldPath, string Message, SourceLocation? Location = null, Severity Severity = Severity.Error)
{
    /// <summary><c>file:line:col: Kind ns/name: field: message</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var where = Location is null ? "" : $"{Location}: ";
        var what = Resource is null ? "" : $"{Resource}: ";
        var field = string.IsNullOrEmpty(FieldPath) ? "" : $"{FieldPath}: ";
        return $"{where}{what}{field}{Message}";
    }
}

/// <summary>The status the Compiler derives for one resource (conditions carry no timestamps: the Compiler has no clock).</summary>
public sealed record ResourceStatus
{
    public ResourceKey Resource { get; init; }
    public long? ObservedGeneration { get; init; }
    public ImmutableArray<Condition> Conditions { get; init; } = [];
    /// <summary>Pools only.</summary>
    public EndpointCounts? Endpoints { get; init; }
    /// <summary>Policies only: the effective weighted split of each route.</summary>
    public ImmutableArray<RouteSplitStatus> Splits { get; init; } = [];
    /// <summary>
    /// Front-end objects: the whole status in the kind's own shape (a Gateway's listeners, a route's parents …),
    /// written as the object's <c>status</c>; <see cref="Conditions"/> then repeats its top-level conditions, if any.
    /// </summary>
    public object? KindStatus { get; init; }
}

public sealed record CompileResult
{
    /// <summary>
    /// The snapshot built from every resource that compiled cleanly; resources with errors are left out of it
    /// (and say so in their status). Callers that want all-or-nothing check <see cref="HasErrors"/>.
    /// </summary>
    public Snapshot Snapshot { get; init; } = Snapshot.Empty;
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];
    public ImmutableDictionary<ResourceKey, ResourceStatus> Statuses { get; init; } = ImmutableDictionary<ResourceKey, ResourceStatus>.Empty;
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
