using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Yaml;

namespace Ballast.Model.Validation;

/// <summary>The outcome of <c>ballast validate DIR</c>: every problem, and what was found.</summary>
public sealed record ValidationReport(ImmutableArray<Diagnostic> Diagnostics, int Policies, int Pools, int Listeners, int Routes, int Inputs = 0)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}

/// <summary>
/// The GitOps dry run: load a folder of CR-shaped YAML and compile it exactly as standalone mode would,
/// without starting anything. Only the Services (with their EndpointSlices) and Secrets in the folder resolve; any
/// other one may exist in the cluster, so naming it is a warning here.
/// </summary>
public static class Validator
{
    public static ValidationReport ValidateDirectory(string dir)
    {
        var loaded = ResourceLoader.LoadDirectory(dir);
        var compiled = Compile(loaded);
        var snapshot = compiled.Snapshot;
        return new ValidationReport(
            [.. loaded.Diagnostics, .. compiled.Diagnostics.Select(loaded.Locate)],
            loaded.Policies.Count,
            loaded.Pools.Count,
            snapshot.Listeners.Length,
            snapshot.Listeners.Sum(l => l.Routes.Select(r => r.Id).Distinct().Count() + l.L4Routes.Length),
            loaded.Inputs.Count);
    }

    /// <summary>
    /// Compiles what was loaded the way <c>validate</c> does: only the folder's Services and Secrets resolve, and naming
    /// any other one is a warning (it may exist in the cluster). The golden compiler cases compile the same way.
    /// </summary>
    public static CompileResult Compile(LoadResult loaded) => Compiler.Compile(loaded.ToCompilerInput() with { ClusterObjectsUnknown = true });

    /// <summary>
    /// Prints every problem as <c>file:line:col: Kind ns/name: field: message</c> and returns 1 when there is
    /// an error; otherwise prints a one-line summary and returns 0. For the CLI's <c>validate</c> command.
    /// </summary>
    public static int Run(string dir, TextWriter output)
    {
        if (!Directory.Exists(dir))
        {
            output.WriteLine($"{dir}: no such directory");
            return 1;
        }
        var report = ValidateDirectory(dir);
        foreach (var d in report.Diagnostics) output.WriteLine(d.ToString());
        if (report.HasErrors)
        {
            var errors = report.Diagnostics.Count(d => d.Severity == Severity.Error);
            output.WriteLine($"{errors} error{(errors == 1 ? "" : "s")} in {dir}");
            return 1;
        }
        var inputs = report.Inputs > 0 ? $", {report.Inputs} other object(s) (Gateway API …)" : "";
        output.WriteLine($"OK: {report.Policies} LoadBalancerPolicy, {report.Pools} BackendPool{inputs}, {report.Listeners} listener(s), {report.Routes} route(s) in {dir}");
        return 0;
    }
}
