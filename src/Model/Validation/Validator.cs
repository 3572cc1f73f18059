using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Yaml;

namespace Ballast.Model.Validation;

/// <summary>The outcome of <c>ballast validate DIR</c>: every problem, and what was found.</summary>
public sealed record ValidationReport(ImmutableArray<Diagnostic> Diagnostics, int Policies, int Pools, int Listeners, int Routes)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}

/// <summary>
/// The GitOps dry run: load a folder of CR-shaped YAML and compile it exactly as standalone mode would,
/// without starting anything. Services and Secrets are not available here, so only static endpoints resolve.
/// </summary>
public static class Validator
{
    public static ValidationReport ValidateDirectory(string dir)
    {
        var loaded = ResourceLoader.LoadDirectory(dir);
        var compiled = Compiler.Compile(new CompilerInput { Policies = loaded.Policies, Pools = loaded.Pools, ClusterObjectsUnknown = true });
        var snapshot = compiled.Snapshot;
        return new ValidationReport(
            [.. loaded.Diagnostics, .. compiled.Diagnostics.Select(loaded.Locate)],
            loaded.Policies.Count,
            loaded.Pools.Count,
            snapshot.Listeners.Length,
            snapshot.Listeners.Sum(l => l.Routes.Select(r => r.Id).Distinct().Count() + l.L4Routes.Length));
    }

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
        output.WriteLine($"OK: {report.Policies} LoadBalancerPolicy, {report.Pools} BackendPool, {report.Listeners} listener(s), {report.Routes} route(s) in {dir}");
        return 0;
    }
}
