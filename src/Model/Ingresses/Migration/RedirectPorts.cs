using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Migration;

/// <summary>
/// The one place where migrated routes answer differently from the Ingress they replace, whatever the target: an
/// app-root redirect keeps the client's port under ingress-nginx (and when Ballast serves the Ingress), while a
/// native or Gateway API redirect without port or scheme names the listener's (Gateway API's rule, which the native
/// API follows). The report says so, and the behaviour comparison holds the report to it.
/// </summary>
internal static class RedirectPorts
{
    private const string AppRoot = AnnotationReader.Prefix + "app-root";

    /// <summary>The outcome to add for <paramref name="policy"/> (its note without the target's words), or null.</summary>
    public static AnnotationOutcome? Differ(LoadBalancerPolicy policy, IngressReport report, IReadOnlyList<AnnotationOutcome> added) =>
        (policy.Spec.Routes ?? []).Any(r => r.Redirect is { Scheme: null, Port: null })
            && report.Annotations.Any(o => o.Name == AppRoot) && !added.Any(o => o.Name == AppRoot)
            ? new AnnotationOutcome(AppRoot, AnnotationVerdict.Approximated,
                "a redirect that keeps the scheme names the listener's port (8080) in Location, where ingress-nginx keeps the request's")
            : null;

    /// <summary>The Ballast output's report: the Ingress reports with that difference noted.</summary>
    public static IngressTranslation NoteInBallastOutput(IngressTranslation translation)
    {
        var extra = new Dictionary<ResourceKey, AnnotationOutcome>();
        foreach (var policy in translation.Policies)
        {
            var origin = translation.Origins[$"{policy.NamespaceOrDefault}/{policy.Metadata.Name}"];
            var report = translation.Reports.First(r => r.Key == origin);
            if (!extra.ContainsKey(origin) && Differ(policy, report, []) is { } differs)
                extra[origin] = differs with { Note = "differs in the Ballast output: " + differs.Note };
        }
        return translation with
        {
            Reports = [.. translation.Reports.Select(r => extra.TryGetValue(r.Key, out var note)
                ? r with { Annotations = [.. r.Annotations.Where(a => a.Name != note.Name).Append(note).OrderBy(a => a.Name, StringComparer.Ordinal)] }
                : r)],
        };
    }
}
