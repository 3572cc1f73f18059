using System.Runtime.CompilerServices;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Migration;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Ingresses;

/// <summary>
/// Every manifest of the corpus migrates to the checked-in Ballast YAML and report (golden files under
/// Corpus/expected). BALLAST_UPDATE_GOLDEN=1 rewrites them; review the diff before committing it.
/// </summary>
public sealed class MigrateCorpusTests
{
    public static TheoryData<string> Corpus() => [.. Directory.GetFiles(CorpusDir(), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static string CorpusDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Corpus");

    public static MigrateCommand.Result Migrate(string file, MigrationTarget target = MigrationTarget.Ballast)
    {
        var manifests = new IngressManifests([], [], []);
        IngressManifestReader.Read(File.ReadAllText(Path.Combine(CorpusDir(), file)), file, manifests);
        return MigrateCommand.Migrate(manifests, target);
    }

    [Fact]
    public void The_corpus_holds_at_least_thirty_manifests() => Assert.True(Corpus().Count >= 30);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Migrates_to_the_golden_output_and_report(string file)
    {
        var result = Migrate(file);
        var stem = Path.GetFileNameWithoutExtension(file);
        Golden.Match(Path.Combine(CorpusDir(), "expected", stem + ".ballast.yaml"), result.Output);
        Golden.Match(Path.Combine(CorpusDir(), "expected", stem + ".report.txt"), result.Report);
        Assert.False(result.Errors, result.Report);
        var gateway = Migrate(file, MigrationTarget.GatewayApi);
        Golden.Match(Path.Combine(CorpusDir(), "expected", stem + ".gateway.yaml"), gateway.Output);
        Golden.Match(Path.Combine(CorpusDir(), "expected", stem + ".gateway-report.txt"), gateway.Report);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_Gateway_API_output_loads_and_compiles_without_errors(string file)
    {
        var loaded = ResourceLoader.LoadText(Migrate(file, MigrationTarget.GatewayApi).Output, file);
        Assert.Empty(loaded.Diagnostics);
        var compiled = Compiler.Compile(new CompilerInput { Policies = loaded.Policies, Pools = loaded.Pools, Inputs = loaded.Inputs, ClusterObjectsUnknown = true });
        Assert.DoesNotContain(compiled.Diagnostics, d => d.Severity == Severity.Error);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_output_loads_and_compiles_without_errors(string file)
    {
        var loaded = ResourceLoader.LoadText(Migrate(file).Output, file);
        Assert.Empty(loaded.Diagnostics);
        var compiled = Compiler.Compile(new CompilerInput { Policies = loaded.Policies, Pools = loaded.Pools, ClusterObjectsUnknown = true });
        Assert.DoesNotContain(compiled.Diagnostics, d => d.Severity == Severity.Error);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Migrating_twice_gives_the_same_bytes(string file) => Assert.Equal(Migrate(file).Output, Migrate(file).Output);
}
