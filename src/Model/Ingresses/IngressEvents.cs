using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>
/// A Warning event the operator records on an Ingress. An Ingress's status has no conditions (only
/// <c>loadBalancer.ingress</c>), so events are where <c>kubectl describe ingress</c> shows what Ballast did not apply.
/// </summary>
/// <param name="Annotation">The annotation the event is about; null for a problem elsewhere (a missing Service …).</param>
public sealed record IngressEvent(ResourceKey Ingress, string Reason, string Message, string? Annotation);

/// <summary>What the operator tells about each served Ingress, read from a compile result (pure).</summary>
public static class IngressEvents
{
    /// <summary>An annotation Ballast does not apply (a snippet, an unmapped one): the rest of the Ingress is served.</summary>
    public const string UnsupportedAnnotation = "UnsupportedAnnotation";
    /// <summary>A malformed annotation value (<c>limit-rps: fast</c>): the Ingress is not served.</summary>
    public const string InvalidAnnotation = "InvalidAnnotation";

    private const string AnnotationField = "metadata.annotations[\"";

    /// <summary>One event per problem of each Ingress, in the Compiler's order (resource order, then field).</summary>
    public static IEnumerable<IngressEvent> Warnings(CompileResult result) =>
        result.Diagnostics
            .Where(d => d.Resource is { Kind: Ingress.KindName })
            .Select(d =>
            {
                var key = d.Resource!.Value;
                var annotation = AnnotationOf(d.FieldPath);
                var reason = annotation is not null
                    ? d.Severity == Severity.Warning ? UnsupportedAnnotation : InvalidAnnotation
                    : FalseConditionReason(result, key) ?? ConditionReasons.Invalid;
                return new IngressEvent(key, reason, string.IsNullOrEmpty(d.FieldPath) ? d.Message : $"{d.FieldPath}: {d.Message}", annotation);
            })
            .Distinct();

    /// <summary>
    /// (<c>namespace/name</c>, annotation) for every annotation of an Ingress of ours that is not applied: unsupported,
    /// or malformed (that Ingress is then not served at all). The series of <c>ballast_unsupported_annotations</c>.
    /// </summary>
    public static IEnumerable<(string Ingress, string Annotation)> NotApplied(CompileResult result) =>
        Warnings(result)
            .Where(e => e.Annotation is not null)
            .Select(e => ($"{e.Ingress.Namespace}/{e.Ingress.Name}", e.Annotation!))
            .Distinct()
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal);

    /// <summary><c>metadata.annotations["x/y"]</c> → <c>x/y</c>; null for any other field.</summary>
    internal static string? AnnotationOf(string fieldPath) =>
        fieldPath.StartsWith(AnnotationField, StringComparison.Ordinal) && fieldPath.EndsWith("\"]", StringComparison.Ordinal)
            ? fieldPath[AnnotationField.Length..^2]
            : null;

    /// <summary>Why the Ingress is not (wholly) served: its Accepted reason when refused, else its ResolvedRefs reason.</summary>
    private static string? FalseConditionReason(CompileResult result, ResourceKey key) =>
        result.Statuses.GetValueOrDefault(key)?.Conditions
            .Where(c => c.Status == ConditionStatus.False && c.Type is ConditionTypes.Accepted or ConditionTypes.ResolvedRefs)
            .Select(c => c.Reason)
            .FirstOrDefault();
}
