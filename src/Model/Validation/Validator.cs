using System.Collections.Immutable;
using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Yaml;

namespace Ballast.Model.Validation;

/// <summary>The outcome of <c>ballast validate</c>: every problem, what was found, and the kinds skipped as not Ballast's.</summary>
public sealed record ValidationReport(ImmutableArray<Diagnostic> Diagnostics, int Policies, int Pools, int Listeners, int Routes, int Inputs = 0)
{
    /// <summary>Kubernetes kinds Ballast does not read (a Deployment …), each with how many documents had it.</summary>
    public ImmutableArray<(string Kind, string ApiVersion, int Count)> Ignored { get; init; } = [];
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
    public int Errors => Diagnostics.Count(d => d.Severity == Severity.Error);
    public int Warnings => Diagnostics.Count(d => d.Severity == Severity.Warning);
}

/// <summary>
/// The GitOps dry run: load CR-shaped YAML (folders, files, standard input) and compile it exactly as standalone
/// mode would, without starting anything. Only the Services (with their EndpointSlices) and Secrets given resolve;
/// any other one may exist in the cluster, so naming it is a warning here.
/// </summary>
public static class Validator
{
    public static ValidationReport ValidateDirectory(string dir) => Validate(ResourceLoader.LoadDirectory(dir));

    public static ValidationReport Validate(LoadResult loaded)
    {
        var compiled = Compile(loaded);
        var snapshot = compiled.Snapshot;
        return new ValidationReport(
            [.. loaded.Diagnostics, .. compiled.Diagnostics.Select(loaded.Locate)],
            loaded.Policies.Count,
            loaded.Pools.Count,
            snapshot.Listeners.Length,
            snapshot.Listeners.Sum(l => l.Routes.Select(r => r.Id).Distinct().Count() + l.L4Routes.Length),
            loaded.Inputs.Count)
        {
            Ignored = [.. loaded.Ignored.GroupBy(i => (i.Kind, i.ApiVersion)).OrderBy(g => g.Key.Kind, StringComparer.Ordinal)
                .ThenBy(g => g.Key.ApiVersion, StringComparer.Ordinal).Select(g => (g.Key.Kind, g.Key.ApiVersion, g.Count()))],
        };
    }

    /// <summary>
    /// Compiles what was loaded the way <c>validate</c> does: only the folder's Services and Secrets resolve, and naming
    /// any other one is a warning (it may exist in the cluster). The golden compiler cases compile the same way.
    /// </summary>
    public static CompileResult Compile(LoadResult loaded) => Compiler.Compile(loaded.ToCompilerInput() with { ClusterObjectsUnknown = true });

    /// <summary>
    /// The sources named on the command line: a folder (its manifests, names relative to it when it is the only
    /// path), a file, or <c>-</c> (standard input, named <c>&lt;stdin&gt;</c>). Null and an error for a path that is neither.
    /// </summary>
    public static IReadOnlyList<ManifestSource>? Sources(IReadOnlyList<string> paths, TextReader stdin, out string error)
    {
        var sources = new List<ManifestSource>();
        error = "";
        foreach (var path in paths)
        {
            if (path == "-")
            {
                var text = stdin.ReadToEnd();
                sources.Add(new ManifestSource("<stdin>", () => text));
            }
            else if (Directory.Exists(path))
            {
                var prefix = paths.Count == 1 ? "" : path.TrimEnd('/', '\\') + "/";
                sources.AddRange(ResourceLoader.ManifestFiles(path).Select(rel => new ManifestSource(prefix + rel, () => File.ReadAllText(Path.Combine(path, rel)))));
            }
            else if (File.Exists(path))
            {
                sources.Add(new ManifestSource(path, () => File.ReadAllText(path)));
            }
            else
            {
                error = $"{path}: no such file or directory";
                return null;
            }
        }
        return sources;
    }

    /// <summary>One folder, text output (the form tests and older scripts use).</summary>
    public static int Run(string dir, TextWriter output)
    {
        if (!Directory.Exists(dir))
        {
            output.WriteLine($"{dir}: no such directory");
            return 1;
        }
        return Print(ValidateDirectory(dir), dir, json: false, output);
    }

    /// <summary>
    /// Text: every problem as <c>[warning: ]file:line:col: Kind ns/name: field: message</c>, the ignored kinds on one
    /// line, then a summary. JSON: one object (<c>valid</c>, <c>errors</c>, <c>warnings</c>, <c>diagnostics</c>,
    /// <c>ignored</c>, <c>found</c>). Returns 1 when there is an error, else 0.
    /// </summary>
    public static int Print(ValidationReport report, string what, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                valid = !report.HasErrors,
                errors = report.Errors,
                warnings = report.Warnings,
                diagnostics = report.Diagnostics.Select(d => new
                {
                    severity = d.Severity == Severity.Error ? "error" : "warning",
                    file = d.Location?.File,
                    line = d.Location?.Line,
                    column = d.Location?.Column,
                    kind = d.Resource?.Kind,
                    @namespace = d.Resource?.Namespace,
                    name = d.Resource?.Name,
                    field = string.IsNullOrEmpty(d.FieldPath) ? null : d.FieldPath,
                    message = d.Message,
                }),
                ignored = report.Ignored.Select(i => new { kind = i.Kind, apiVersion = i.ApiVersion, count = i.Count }),
                found = new { policies = report.Policies, pools = report.Pools, otherObjects = report.Inputs, listeners = report.Listeners, routes = report.Routes },
            }, JsonOptions));
            return report.HasErrors ? 1 : 0;
        }
        foreach (var d in report.Diagnostics) output.WriteLine(d.Severity == Severity.Warning ? $"warning: {d}" : d.ToString());
        if (report.Ignored.Length > 0)
            output.WriteLine("ignored (kinds Ballast does not read): "
                + string.Join(", ", report.Ignored.Select(i => $"{i.Kind} ({i.ApiVersion}){(i.Count > 1 ? $" ×{i.Count}" : "")}")));
        if (report.HasErrors)
        {
            var errors = report.Errors;
            output.WriteLine($"{errors} error{(errors == 1 ? "" : "s")} in {what}");
            return 1;
        }
        var inputs = report.Inputs > 0 ? $", {report.Inputs} other object(s) (Gateway API …)" : "";
        var warnings = report.Warnings > 0 ? $"; {report.Warnings} warning{(report.Warnings == 1 ? "" : "s")}" : "";
        output.WriteLine($"OK: {report.Policies} LoadBalancerPolicy, {report.Pools} BackendPool{inputs}, {report.Listeners} listener(s), {report.Routes} route(s) in {what}{warnings}");
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
