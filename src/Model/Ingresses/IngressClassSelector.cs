namespace Ballast.Model.Ingresses;

/// <summary>
/// Which Ingresses Ballast serves. An Ingress names its class by <c>spec.ingressClassName</c> (or, before
/// Kubernetes 1.18, by the <c>kubernetes.io/ingress.class</c> annotation, read the same way when the field is
/// absent); it is ours when that IngressClass has <c>spec.controller: ballast.dev/ingress-controller</c>. An
/// Ingress that names no class is ours when an IngressClass of ours is marked the default
/// (<c>ingressclass.kubernetes.io/is-default-class: "true"</c>), or, in standalone mode only, when no class is
/// given at all (a folder has no cluster default to defer to).
/// </summary>
public static class IngressClassSelector
{
    public const string Controller = "ballast.dev/ingress-controller";
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";

    /// <summary>The class an Ingress names, from the field or the legacy annotation; null when it names none.</summary>
    public static string? ClassOf(Ingress ingress) =>
        ingress.Spec.IngressClassName is { Length: > 0 } name ? name
        : ingress.Metadata.Annotations?.GetValueOrDefault(LegacyClassAnnotation) is { Length: > 0 } legacy ? legacy
        : null;

    /// <param name="unclassedWithoutDefault">Serve Ingresses that name no class when no IngressClass is the default (standalone mode).</param>
    public static bool IsOurs(Ingress ingress, IReadOnlyList<IngressClass> classes, bool unclassedWithoutDefault)
    {
        if (ClassOf(ingress) is { } name)
            return classes.Any(c => c.Metadata.Name == name && c.Spec.Controller == Controller);
        var defaults = classes.Where(IsDefault).ToList();
        if (defaults.Count == 0) return unclassedWithoutDefault;
        return defaults.Any(c => c.Spec.Controller == Controller);
    }

    public static bool IsDefault(IngressClass c) =>
        string.Equals(c.Metadata.Annotations?.GetValueOrDefault(IngressClass.DefaultClassAnnotation), "true", StringComparison.OrdinalIgnoreCase);
}
