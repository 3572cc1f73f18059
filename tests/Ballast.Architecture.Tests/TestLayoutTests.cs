using System.Text.RegularExpressions;
using Ballast.Testing;

namespace Ballast.Architecture.Tests;

/// <summary>
/// Tests are shaped like the code (CONTRIBUTING.md): every folder of test code in tests/Ballast.X.Tests is a folder
/// of src/X, and a test file's namespace is its folder's. A reader looking for the tests of src/Ingress/Affinity
/// finds them in tests/Ballast.Ingress.Tests/Affinity, and only there.
/// </summary>
public partial class TestLayoutTests
{
    /// <summary>Folders of test code that mirror no src folder, each with its reason. Any folder named Support holds fixtures.</summary>
    private static readonly Dictionary<string, string> Unmirrored = new(StringComparer.Ordinal)
    {
        ["Operator/Emulator"] = "the Kubernetes API emulator's own tests (tests/Ballast.KubeEmulator); they run beside the operator's",
    };

    public static TheoryData<string> Projects() => ["Model", "Acme", "Ingress", "Operator"];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Every_folder_of_test_code_is_a_folder_of_the_code_it_tests(string project)
    {
        var tests = Path.Combine(RepoPaths.Root, "tests", $"Ballast.{project}.Tests");
        var strays = CodeFolders(tests)
            .Where(rel => !rel.Split('/').Contains("Support") && !Unmirrored.ContainsKey($"{project}/{rel}"))
            .Where(rel => !Directory.Exists(Path.Combine(RepoPaths.Root, "src", project, rel)))
            .Select(rel => $"tests/Ballast.{project}.Tests/{rel}: no src/{project}/{rel} (move the tests to the folder of the code they test)");
        Assert.Empty(strays);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_test_files_namespace_is_its_folder(string project)
    {
        var tests = Path.Combine(RepoPaths.Root, "tests", $"Ballast.{project}.Tests");
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(tests, f)))
        {
            var rel = Path.GetRelativePath(tests, Path.GetDirectoryName(file)!).Replace('\\', '/');
            var expected = string.Join('.', new[] { "Ballast", project, "Tests" }.Concat(rel == "." ? Array.Empty<string>() : rel.Split('/')));
            var text = File.ReadAllText(file);
            var declared = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
            if (declared is null && text.Contains("[assembly:", StringComparison.Ordinal)) continue; // assembly attributes only
            if (declared != expected) wrong.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}: namespace {declared ?? "(none)"}, expected {expected}");
        }
        Assert.Empty(wrong);
    }

    /// <summary>Folders below <paramref name="root"/> (relative, '/'-separated) that hold C# files, build output left out.</summary>
    private static IEnumerable<string> CodeFolders(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(root, f))
            .Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Where(rel => rel != ".")
            .Distinct();

    private static bool IsBuildOutput(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar) is [("bin" or "obj"), ..];

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
