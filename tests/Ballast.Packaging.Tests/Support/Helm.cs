using System.Text.Json.Nodes;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Support;

/// <summary>The real helm binary over charts/ballast.</summary>
public static class Helm
{
    public static string Chart => RepoPaths.Of("charts", "ballast");

    public static Task<ProcessResult> RunAsync(params string[] args) => ProcessRunner.RunAsync(Tools.Helm, args,
        workingDirectory: RepoPaths.Root,
        // No cluster, no user config: helm must work offline from the chart alone.
        environment: new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "config"),
            ["HELM_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "ballast-helm", "data"),
        });

    /// <summary>helm template with --set pairs; throws with helm's output when it fails.</summary>
    public static async Task<List<JsonObject>> TemplateAsync(params string[] sets)
    {
        var result = await TemplateRawAsync(sets);
        result.EnsureSuccess("helm template " + string.Join(' ', sets));
        return Yaml.Documents(result.Stdout);
    }

    public static Task<ProcessResult> TemplateRawAsync(params string[] sets) =>
        RunAsync(["template", "ballast", Chart, "--namespace", "ballast-system", "--include-crds", .. sets.SelectMany(s => new[] { "--set", s })]);

    public static JsonObject Only(this List<JsonObject> docs, string kind, string? nameSuffix = null) =>
        docs.Single(d => d["kind"]!.GetValue<string>() == kind && (nameSuffix is null || d["metadata"]!["name"]!.GetValue<string>().EndsWith(nameSuffix, StringComparison.Ordinal)));

    public static IEnumerable<JsonObject> OfKind(this List<JsonObject> docs, string kind) =>
        docs.Where(d => d["kind"]!.GetValue<string>() == kind);
}
