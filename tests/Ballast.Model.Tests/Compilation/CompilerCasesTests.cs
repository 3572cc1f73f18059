using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Migration;
using Ballast.Model.Serialization;
using Ballast.Model.Tests.Validation;
using Ballast.Model.Validation;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Compilation;

/// <summary>
/// Golden compiler cases (tests/Ballast.Model.Tests/Cases/README.md): each case's input compiles, as <c>ballast
/// validate</c> compiles a folder, to the checked-in <c>snapshot.json</c> and <c>status.yaml</c>. The cases are every
/// sample the Compiler reads (<c>sample-…</c>, input read from samples/ itself) and one bad input per validation rule,
/// named after it. <c>BALLAST_UPDATE_GOLDEN=1</c> rewrites the expected files: review the diff before committing it.
/// </summary>
public sealed class CompilerCasesTests
{
    private const string SamplePrefix = "sample-";

    public static string CasesDir([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "Cases"));

    /// <summary>Sample folders holding something the Compiler reads (argocd's Applications are not its input), by case name.</summary>
    private static Dictionary<string, string> Samples() => ValidatorTests.SampleFolderNames()
        .Where(folder => ResourceLoader.LoadDirectory(RepoPaths.Of("samples", folder)) is var l && l.Policies.Count + l.Pools.Count + l.Inputs.Count > 0)
        .ToDictionary(folder => SamplePrefix + folder.Replace('/', '-'), folder => folder, StringComparer.Ordinal);

    public static TheoryData<string> Cases() =>
    [
        .. Directory.GetDirectories(CasesDir()).Where(d => File.Exists(Path.Combine(d, "input.yaml"))).Select(d => Path.GetFileName(d))
            .Concat(Samples().Keys).Distinct().Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compiles_to_the_golden_snapshot_and_statuses(string name)
    {
        var loaded = Load(name);
        var compiled = Validator.Compile(loaded);
        var dir = Path.Combine(CasesDir(), name);
        Golden.Match(Path.Combine(dir, "snapshot.json"), SnapshotJson(compiled));
        Golden.Match(Path.Combine(dir, "status.yaml"), StatusYaml(loaded, compiled));
        // A sample is a working configuration; a rule's case is there to show its diagnostic (Gateway API's are warnings).
        if (name.StartsWith(SamplePrefix, StringComparison.Ordinal)) Assert.False(compiled.HasErrors || loaded.HasErrors, StatusYaml(loaded, compiled));
        else Assert.False(compiled.Diagnostics.IsEmpty && loaded.Diagnostics.IsEmpty, $"{name}: the bad input compiles without a diagnostic");
    }

    [Fact]
    public void Every_case_folder_has_an_input_or_a_sample_and_its_expected_files()
    {
        var samples = Samples();
        foreach (var dir in Directory.GetDirectories(CasesDir()))
        {
            var name = Path.GetFileName(dir);
            Assert.True(File.Exists(Path.Combine(dir, "input.yaml")) || samples.ContainsKey(name),
                $"Cases/{name}: no input.yaml and no sample of that name (a sample removed? delete the folder)");
            if (!Golden.Updating)
                Assert.True(File.Exists(Path.Combine(dir, "snapshot.json")) && File.Exists(Path.Combine(dir, "status.yaml")), $"Cases/{name}: expected files missing");
        }
    }

    [Fact]
    public void Every_validation_rule_has_a_case_named_after_it()
    {
        var rules = Directory.GetFiles(RepoPaths.Of("src", "Model", "Compilation", "Rules"), "*Rules.cs").Select(f => Kebab(Path.GetFileNameWithoutExtension(f)));
        var missing = rules.Where(r => !File.Exists(Path.Combine(CasesDir(), r, "input.yaml"))).ToList();
        Assert.True(missing.Count == 0, "no golden case for: " + string.Join(", ", missing));
    }

    private static LoadResult Load(string name) =>
        Samples().TryGetValue(name, out var folder)
            ? ResourceLoader.LoadDirectory(RepoPaths.Of("samples", folder))
            : ResourceLoader.LoadText(File.ReadAllText(Path.Combine(CasesDir(), name, "input.yaml")), "input.yaml");

    /// <summary>The snapshot as canonical JSON (keys sorted; the Compiler adds no timestamp), indented so a diff shows the field.</summary>
    private static string SnapshotJson(CompileResult compiled) =>
        JsonNode.Parse(ModelJson.Canonical(compiled.Snapshot))!.ToJsonString(Indented) + "\n";

    /// <summary>Every diagnostic (file:line:col, resource, field path, message) and each resource's status, keys sorted.</summary>
    private static string StatusYaml(LoadResult loaded, CompileResult compiled)
    {
        var statuses = compiled.Statuses.ToDictionary(s => s.Key.ToString(), s => s.Value, StringComparer.Ordinal);
        var node = JsonNode.Parse(ModelJson.Canonical(new
        {
            diagnostics = loaded.Diagnostics.Concat(compiled.Diagnostics.Select(loaded.Locate)).Select(d => $"{d.Severity}: {d}").ToList(),
            statuses,
        }))!;
        // The key already names the resource.
        foreach (var (_, status) in node["statuses"]!.AsObject()) status!.AsObject().Remove("resource");
        return YamlWriter.Write(node);
    }

    // Relaxed escaping: a message with quotes or "<" stays readable in the diff (this JSON is never put in HTML).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
