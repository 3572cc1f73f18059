namespace Ballast.Model.Ingresses.Annotations;

/// <summary>What became of one ingress-nginx annotation.</summary>
public enum AnnotationVerdict
{
    /// <summary>A native feature does exactly what ingress-nginx does with it.</summary>
    Mapped,
    /// <summary>A native feature does nearly the same; the note says how it differs.</summary>
    Approximated,
    /// <summary>Not served; the note says why. Never silently dropped: warned, counted, and a condition names it.</summary>
    Unsupported,
    /// <summary>The value is malformed: an error naming the annotation, and the Ingress is not served.</summary>
    Invalid,
}

/// <param name="Name">The full annotation name, e.g. <c>nginx.ingress.kubernetes.io/limit-rps</c>.</param>
/// <param name="Note">Mapped: what it became; Approximated: how it differs; Unsupported: why; Invalid: the error.</param>
public sealed record AnnotationOutcome(string Name, AnnotationVerdict Verdict, string Note);
