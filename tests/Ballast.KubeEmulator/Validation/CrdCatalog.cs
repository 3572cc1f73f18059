using System.Collections.Concurrent;
using Ballast.KubeEmulator.Manifests;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// The CRDs of the repository's <c>config/crds/</c>, read and compiled once per process (many tests start an
/// emulator; parsing the schemas and compiling the CEL rules each time would be wasted work).
/// </summary>
public static class CrdCatalog
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<CustomResourceDefinition>>> Cache = new();

    /// <summary>The CRDs in the repository this code runs from (found by walking up to <c>config/crds</c>).</summary>
    public static IReadOnlyList<CustomResourceDefinition> Repository => Load(RepositoryFolder.Value);

    public static IReadOnlyList<CustomResourceDefinition> Load(string folder) =>
        Cache.GetOrAdd(Path.GetFullPath(folder), f => new Lazy<IReadOnlyList<CustomResourceDefinition>>(() => Read(f))).Value;

    private static readonly Lazy<string> RepositoryFolder = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "config", "crds"))) dir = dir.Parent;
        return dir is null
            ? throw new InvalidOperationException("config/crds not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "config", "crds");
    });

    private static List<CustomResourceDefinition> Read(string folder)
    {
        var compiler = new CelRuleCompiler();
        return Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => KubeYaml.Documents(File.ReadAllText(f)))
            .Where(d => d["kind"]?.GetValue<string>() == "CustomResourceDefinition")
            .Select(d => CustomResourceDefinition.FromManifest(d, compiler))
            .ToList();
    }
}
