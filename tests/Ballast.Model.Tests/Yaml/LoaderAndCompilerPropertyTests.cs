using Ballast.Model.Compilation;
using Ballast.Model.Yaml;
using CsCheck;

namespace Ballast.Model.Tests.Yaml;

/// <summary>
/// Properties of the YAML loader and the Compiler on any input (CsCheck: random, resource-shaped and mutated real
/// manifests; a failure prints the seed to replay with <c>CsCheck_Seed</c>):
/// <list type="bullet">
/// <item>errors are data: nothing throws, and every diagnostic says where (file:line for the loader, a resource and a
/// field path for the Compiler);</item>
/// <item>compiling is deterministic: the same input, loaded and compiled again, gives the same content hash, the
/// same diagnostics and the same statuses.</item>
/// </list>
/// 2,500 cases in the suite (a few seconds on an idle machine); <c>BALLAST_PROPERTY_ITERATIONS=200000</c> for a long run.
/// </summary>
public sealed class LoaderAndCompilerPropertyTests
{
    private const string File = "fuzz.yaml";

    [Fact]
    public void Random_text_loads_to_resources_or_to_located_errors_never_an_exception() =>
        Gen.OneOf(YamlInputs.Text, YamlInputs.Soup).Sample(text => AssertLoaderErrorsAreLocated(ResourceLoader.LoadText(text, File)),
            iter: YamlInputs.Iterations(1_000), threads: 1, print: Show);

    [Fact]
    public void Mutated_manifests_load_and_compile_to_errors_with_field_paths_never_an_exception() =>
        Gen.OneOf(YamlInputs.Mutated, YamlInputs.Soup).Sample(text =>
        {
            var loaded = ResourceLoader.LoadText(text, File);
            AssertLoaderErrorsAreLocated(loaded);
            var result = Compile(loaded);
            foreach (var d in result.Diagnostics.Select(loaded.Locate))
            {
                Assert.True(d.Resource is not null && d.FieldPath.Length > 0, $"a Compiler diagnostic without a resource or field path: {d}");
                Assert.True(d.Location is { File: File, Line: >= 1 }, $"a Compiler diagnostic that names no file:line: {d}");
                Assert.False(string.IsNullOrWhiteSpace(d.Message), $"a diagnostic without a message: {d}");
            }
        }, iter: YamlInputs.Iterations(1_000), threads: 1, print: Show);

    [Fact]
    public void The_same_input_compiles_to_the_same_content_hash_diagnostics_and_statuses() =>
        Gen.OneOf(YamlInputs.Mutated, YamlInputs.Soup).Sample(text =>
        {
            var first = Compile(ResourceLoader.LoadText(text, File));
            var second = Compile(ResourceLoader.LoadText(text, File));
            Assert.Equal(SnapshotHash.Compute(first.Snapshot), SnapshotHash.Compute(second.Snapshot));
            Assert.Equal(first.Snapshot.ContentHash, second.Snapshot.ContentHash);
            Assert.Equal(first.Diagnostics.Select(d => d.ToString()), second.Diagnostics.Select(d => d.ToString()));
            Assert.Equal(Statuses(first), Statuses(second));
        }, iter: YamlInputs.Iterations(500), threads: 1, print: Show);

    private static CompileResult Compile(LoadResult loaded) => Compiler.Compile(loaded.ToCompilerInput());

    private static void AssertLoaderErrorsAreLocated(LoadResult loaded)
    {
        foreach (var d in loaded.Diagnostics)
        {
            Assert.True(d.Location is { File: File, Line: >= 1 }, $"a loader diagnostic without file:line: {d}");
            Assert.False(string.IsNullOrWhiteSpace(d.Message), $"a diagnostic without a message: {d}");
        }
    }

    private static string[] Statuses(CompileResult result) =>
        [.. result.Statuses.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal)
            .Select(s => $"{s.Key} {string.Join(";", s.Value.Conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.Message}"))} {s.Value.Endpoints} {string.Join(",", s.Value.Splits)}")];

    private static string Show(string text) => "\n---- input ----\n" + text + "\n---------------";
}
