using Ballast.Packaging.Tests.Support;

namespace Ballast.Packaging.Tests.Docs;

/// <summary>
/// docs/algorithms.md and docs/benchmarks.md take their BenchmarkDotNet figures from results files only:
/// bench/tools/microbench-docs.py writes the tables between <c>&lt;!-- microbench:… --&gt;</c> markers from
/// BenchmarkDotNet's JSON reports, and <c>--check</c> fails when a document says anything else.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MicrobenchDocsTests
{
    private static readonly string Script = RepoPaths.Of("bench", "tools", "microbench-docs.py");

    private static Task<ProcessResult> RunAsync(params string[] args) => ProcessRunner.RunAsync(ExternalTool.Require("python3"), [Script, .. args]);

    [Fact]
    public async Task The_committed_documents_agree_with_the_committed_results_files()
    {
        var check = await RunAsync("--check");
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public async Task A_results_file_becomes_the_tables_it_names_and_the_text_without_it_is_stale()
    {
        var root = Directory.CreateTempSubdirectory("ballast-microbench-").FullName;
        try
        {
            var repo = Path.Combine(root, "repo");
            Directory.CreateDirectory(Path.Combine(repo, "docs"));
            foreach (var doc in new[] { "algorithms.md", "benchmarks.md" })
                File.Copy(RepoPaths.Of("docs", doc), Path.Combine(repo, "docs", doc));
            var results = Path.Combine(repo, "bench", "results", "benchmarkdotnet", "results");
            Directory.CreateDirectory(results);
            // The shape of BenchmarkDotNet's JSON exporter; a failed case has no statistics and gets no row.
            File.WriteAllText(Path.Combine(results, "Ballast.Benchmarks.LoadBalancing.PickBenchmarks-report-full-compressed.json"), """
                {"Title":"Ballast.Benchmarks.LoadBalancing.PickBenchmarks-20261208-000000",
                 "HostEnvironmentInfo":{"ProcessorName":"Test CPU","LogicalCoreCount":2,"RuntimeVersion":".NET 10.0.0"},
                 "Benchmarks":[
                  {"Method":"Pick","Parameters":"Algorithm=Maglev, Endpoints=3","Statistics":{"Median":17.6,"Mean":18.25,"ConfidenceInterval":{"Margin":1.5}},"Memory":{"BytesAllocatedPerOperation":0}},
                  {"Method":"Pick","Parameters":"Algorithm=LeastConnections, Endpoints=1000","Statistics":{"Median":4404.82,"Mean":4500,"ConfidenceInterval":{"Margin":300}},"Memory":{"BytesAllocatedPerOperation":0}},
                  {"Method":"Pick","Parameters":"Algorithm=RoundRobin, Endpoints=100","Statistics":null},
                  {"Method":"Pick","Parameters":"Algorithm=Weigh(...)tions [24]&Endpoints=3","FullName":"Ballast.Benchmarks.LoadBalancing.PickBenchmarks.Pick(Algorithm: WeightedLeastConnections, Endpoints: 3)","Statistics":{"Median":20.5,"Mean":21,"ConfidenceInterval":{"Margin":1}},"Memory":{"BytesAllocatedPerOperation":0}}]}
                """);

            var stale = await RunAsync("--repo", repo, "--check");
            Assert.Equal(1, stale.ExitCode);
            Assert.Contains("docs/algorithms.md: block pick-medians", stale.Output);
            Assert.Contains("docs/benchmarks.md: block pick-details", stale.Output);
            // No BuildBenchmarks report here, yet the documents show the committed figures: that block is stale too, and
            // is rewritten to say that its results file is missing.
            Assert.Contains("docs/algorithms.md: block build", stale.Output);

            (await RunAsync("--repo", repo)).EnsureSuccess("microbench-docs.py");
            var algorithms = File.ReadAllText(Path.Combine(repo, "docs", "algorithms.md"));
            Assert.Contains("From `bench/results/benchmarkdotnet/results/Ballast.Benchmarks.LoadBalancing.PickBenchmarks-report-full-compressed.json` " +
                "(run `Ballast.Benchmarks.LoadBalancing.PickBenchmarks-20261208-000000`; Test CPU, 2 logical cores, .NET 10.0.0).", algorithms);
            // Rows in the selection guide's order, ns throughout so a column compares.
            // A value BenchmarkDotNet shortened in Parameters ("Weigh(...)tions [24]") is read whole from FullName.
            Assert.Contains("| `LeastConnections` | – | – | 4,404.82 ns | 0 B |\n| `WeightedLeastConnections` | 20.50 ns | – | – | 0 B |\n" +
                "| `Maglev` | 17.60 ns | – | – | 0 B |\n<!-- /microbench -->", algorithms);
            Assert.DoesNotContain("`RoundRobin`", algorithms[algorithms.IndexOf("<!-- microbench:pick-medians", StringComparison.Ordinal)..]);
            Assert.Contains("No results file yet for `BuildBenchmarks`", algorithms);
            var benchmarks = File.ReadAllText(Path.Combine(repo, "docs", "benchmarks.md"));
            Assert.Contains("| Maglev | 3 | 18.25 ns | 1.50 ns | 17.60 ns | 0 B |", benchmarks);
            Assert.Equal(0, (await RunAsync("--repo", repo, "--check")).ExitCode);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
