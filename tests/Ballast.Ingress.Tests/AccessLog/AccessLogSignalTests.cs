using System.Diagnostics;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.AccessLog;

/// <summary>The <c>ballast run</c> process, as logrotate meets it: move the file away, send SIGUSR1, lines go to a new file.</summary>
[Trait("Category", "Integration")]
public sealed class AccessLogSignalTests
{
    [Fact]
    public async Task Sigusr1_makes_the_running_process_reopen_its_access_log()
    {
        var kill = ExternalTool.Require("kill");
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("a");
        var port = FreePort.Next();
        var config = Directory.CreateTempSubdirectory("ballast-sigusr1-").FullName;
        File.WriteAllText(Path.Combine(config, "config.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api }
            spec:
              endpoints: [ { address: "127.0.0.1:{{backend.Port}}" } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop }
            spec:
              listeners: [ { name: http, port: {{port}}, address: 127.0.0.1, accessLog: { file: "{{files.File}}" } } ]
              routes: [ { backends: [ { pool: api } ] } ]
            """);
        var binary = Path.Combine(AppContext.BaseDirectory, "ballast.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [binary, "run", "--config", config, "--admin-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.True(() => Answers(client, "/first"), "ballast run to serve", TimeSpan.FromMilliseconds(30_000));
            await Eventually.True(() => files.Lines().Length > 0, "the first line in the file");

            File.Move(files.File, files.File + ".1");
            var before = files.Lines(files.File + ".1").Length;
            Process.Start(kill, ["-USR1", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            // The signal lands asynchronously: ask until a line shows up in a new file at the path.
            await Eventually.True(() => Answers(client, "/after") && files.Lines().Length > 0, "a new file at the path after SIGUSR1");

            Assert.False(process.HasExited, "SIGUSR1 must not stop the process");
            Assert.All(files.Lines(), l => Assert.Equal("/after", AccessLogFiles.Json(l).GetProperty("path").GetString()));
            Assert.All(files.Lines(files.File + ".1"), l => Assert.Contains(AccessLogFiles.Json(l).GetProperty("path").GetString(), new[] { "/first", "/after" }));
            Assert.True(before >= 1);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(config, recursive: true);
        }
    }

    private static bool Answers(HttpClient client, string path)
    {
        try { return client.GetAsync(path).GetAwaiter().GetResult().IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }
}
