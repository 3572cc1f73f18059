using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>What kind of trouble a resource is in; it decides what is left out and which condition says so.</summary>
internal enum ProblemKind
{
    /// <summary>The resource itself is wrong: it is left out of the snapshot (Accepted=False, Invalid).</summary>
    Invalid,
    /// <summary>It clashes with an earlier resource: the clashing part is left out (Accepted=False, Conflicted).</summary>
    Conflict,
    /// <summary>It names something that is missing or unusable: the naming part is left out (ResolvedRefs=False).</summary>
    Reference,
    /// <summary>A front-end object's problem its own status reports (Gateway API conditions); a warning in the diagnostics.</summary>
    Status,
}

internal sealed record Problem(ProblemKind Kind, string Reason, Diagnostic Diagnostic);

/// <summary>Collects the problems of one resource while its rules run.</summary>
internal sealed class ResourceReport(Resource resource)
{
    public Resource Resource { get; } = resource;
    // Metadata may be null in a resource System.Text.Json read from a bad document: NullGuard reports it.
    public ResourceKey Key { get; } = resource.Metadata is null ? new ResourceKey(resource.Kind, "default", "") : resource.Key;
    public List<Problem> Problems { get; } = [];

    public bool IsInvalid => Problems.Any(p => p.Kind == ProblemKind.Invalid);

    /// <summary>A rule the resource breaks on its own.</summary>
    public void Error(FieldPath field, string message) => Add(ProblemKind.Invalid, ConditionReasons.Invalid, field, message);

    public void Conflict(FieldPath field, string message) => Add(ProblemKind.Conflict, ConditionReasons.Conflicted, field, message);

    public void Unresolved(string reason, FieldPath field, string message) => Add(ProblemKind.Reference, reason, field, message);

    /// <summary>A problem a front-end writes into the object's own status; <c>validate</c> prints it as a warning.</summary>
    public void Warn(string reason, FieldPath field, string message) => Add(ProblemKind.Status, reason, field, message, Severity.Warning);

    /// <summary>A Service or Secret missing from the input; only a warning when the input cannot know the cluster.</summary>
    public void UnresolvedClusterObject(CompilerInput input, string reason, FieldPath field, string message) =>
        Add(ProblemKind.Reference, reason, field, input.ClusterObjectsUnknown ? message + " (not checked: no cluster)" : message,
            input.ClusterObjectsUnknown ? Severity.Warning : Severity.Error);

    public void Add(ProblemKind kind, string reason, FieldPath field, string message, Severity severity = Severity.Error) =>
        Problems.Add(new Problem(kind, reason, new Diagnostic(Key, field.Value, message, Resource.Source, severity)));

    /// <summary>Counts errors added so far, so a caller can tell whether a block of rules added any.</summary>
    public int Count => Problems.Count;
}
