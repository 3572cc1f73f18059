using System.Text;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;

namespace Ballast.Model.Ingresses.Migration;

/// <summary>
/// The report of <c>ballast migrate</c>: per Ingress and per annotation, mapped / approximated (how) /
/// unsupported (why), and every error. Plain text in a fixed order, so it can be diffed and committed.
/// </summary>
public static class MigrationReport
{
    public static string Render(IngressTranslation translation, IEnumerable<Diagnostic> readErrors)
    {
        var text = new StringBuilder();
        foreach (var d in readErrors) text.Append("error: ").Append(d).Append('\n');
        int mapped = 0, approximated = 0, unsupported = 0, errors = 0;
        foreach (var report in translation.Reports)
        {
            var counts = report.Annotations.GroupBy(a => a.Verdict).ToDictionary(g => g.Key, g => g.Count());
            var problems = report.Problems.Count(p => p.Diagnostic.Severity == Severity.Error && p.Reason != "InvalidAnnotation");
            text.Append($"Ingress {report.Key.Namespace}/{report.Key.Name}{(report.Canary ? " (canary)" : "")}: ")
                .Append($"{counts.GetValueOrDefault(AnnotationVerdict.Mapped)} mapped, {counts.GetValueOrDefault(AnnotationVerdict.Approximated)} approximated, ")
                .Append($"{counts.GetValueOrDefault(AnnotationVerdict.Unsupported)} unsupported, {counts.GetValueOrDefault(AnnotationVerdict.Invalid) + problems} error(s)\n");
            foreach (var a in report.Annotations)
                text.Append($"  {Word(a.Verdict),-13}{a.Name}: {a.Note}\n");
            foreach (var p in report.Problems.Where(p => p.Reason != "InvalidAnnotation"))
                text.Append($"  {(p.Diagnostic.Severity == Severity.Error ? "error" : "warning"),-13}{p.Diagnostic.FieldPath}: {p.Diagnostic.Message}\n");
            mapped += counts.GetValueOrDefault(AnnotationVerdict.Mapped);
            approximated += counts.GetValueOrDefault(AnnotationVerdict.Approximated);
            unsupported += counts.GetValueOrDefault(AnnotationVerdict.Unsupported);
            errors += counts.GetValueOrDefault(AnnotationVerdict.Invalid) + problems;
        }
        errors += readErrors.Count();
        text.Append($"total: {translation.Reports.Length} Ingress(es); {mapped} mapped, {approximated} approximated, {unsupported} unsupported, {errors} error(s)\n");
        return text.ToString();
    }

    private static string Word(AnnotationVerdict v) => v switch
    {
        AnnotationVerdict.Mapped => "mapped",
        AnnotationVerdict.Approximated => "approximated",
        AnnotationVerdict.Unsupported => "unsupported",
        _ => "error",
    };
}
