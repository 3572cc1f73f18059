using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Image;

/// <summary>
/// Issue 17: samples/kubernetes runs an image this repository builds (the Dockerfile's echo-backend target), with
/// arguments the echo backend really reads.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EchoBackendImageTests(PublishedEchoImage image) : IClassFixture<PublishedEchoImage>
{
    private static IEnumerable<System.Text.Json.Nodes.JsonNode> SampleContainers() =>
        Directory.GetFiles(RepoPaths.Of("samples", "kubernetes"), "*.yaml").SelectMany(f => Yaml.Documents(File.ReadAllText(f)))
            .Where(d => d["kind"]!.GetValue<string>() == "Deployment")
            .SelectMany(d => d["spec"]!["template"]!["spec"]!["containers"]!.AsArray()!)!;

    [Fact]
    public void The_samples_run_the_echo_backend_target_which_starts_the_published_echo_backend()
    {
        var file = Dockerfile.Load();
        var stage = file.Stages.Single(s => s.Name == "echo-backend");
        Assert.Equal("[\"/app/echo-backend\"]", stage.Instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Contains(stage.Instructions, i => i.Keyword == "COPY" && i.Arguments == "--from=echo-build /echo ./");
        Assert.Same(file.Runtime, file.Stages[^1]); // a plain `docker build .` still makes the Ballast image
        var containers = SampleContainers().ToList();
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("ballast/echo-backend:dev", c["image"]!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(image.App, "echo-backend")), "the echo-build stage did not produce echo-backend: " + string.Join("\n", image.Commands));
    }

    [Fact]
    public async Task The_published_echo_backend_answers_with_the_name_and_on_the_address_the_sample_passes()
    {
        foreach (var container in SampleContainers())
        {
            var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
            Assert.Equal(["--name", "--urls"], args.Where((_, i) => i % 2 == 0)); // the flags the program reads, nothing it ignores
            Assert.Equal("http://0.0.0.0:8080", args[3]);
            Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<long>());
            // The same arguments, on a loopback port of this machine instead of the pod's 0.0.0.0:8080.
            var port = FreePort.Next();
            await using var echo = new RunningProcess(Path.Combine(image.App, "echo-backend"), [args[0], args[1], args[2], $"http://127.0.0.1:{port}"]);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var body = await Eventually.GetAsync(async () =>
            {
                try { return await http.GetStringAsync($"http://127.0.0.1:{port}/hello"); }
                catch (HttpRequestException) { return echo.HasExited ? "exited: " + echo.Output : ""; }
            }, b => b.Length > 0, "the echo backend to answer", within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(100));
            Assert.Contains($"\"backend\":\"{args[1]}\"", body);
        }
    }
}
