using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>Why an Ingress (or a part of it) is not served as written.</summary>
public enum IngressProblemKind
{
    /// <summary>The Ingress is malformed (a bad path, a malformed annotation value): it is not served.</summary>
    Invalid,
    /// <summary>It names a Service or Secret that is missing: that part is not served (or answers 503).</summary>
    Reference,
    /// <summary>It clashes with an older object: the clashing part is not served.</summary>
    Conflict,
}

public sealed record IngressProblem(IngressProblemKind Kind, string Reason, Diagnostic Diagnostic);

/// <summary>What became of one Ingress: the verdict of each annotation and the problems found.</summary>
public sealed record IngressReport
{
    public required Ingress Ingress { get; init; }
    public ResourceKey Key => Ingress.Key;
    public bool Canary { get; init; }
    /// <summary>Sorted by annotation name.</summary>
    public ImmutableArray<AnnotationOutcome> Annotations { get; init; } = [];
    public ImmutableArray<IngressProblem> Problems { get; init; } = [];

    public bool IsInvalid => Problems.Any(p => p.Kind == IngressProblemKind.Invalid);
    public IEnumerable<AnnotationOutcome> Unsupported => Annotations.Where(a => a.Verdict == AnnotationVerdict.Unsupported);
}
