using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Tests.Support;

namespace Ballast.Ingress.Tests.Admin;

/// <summary>
/// <c>ballast run</c> given a listener on a port another process holds: the change is a failed reload, logged as one
/// line without a stack trace; the last good configuration keeps serving; once the port is free, the retry applies it
/// without another edit.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BindFailureTests
{
    [Fact]
    public async Task A_listener_on_a_taken_port_is_one_log_line_a_failed_reload_and_the_last_good_config_keeps_serving()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var port = FreePort.Next();
        var admin = FreePort.Next();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var config = Directory.CreateTempSubdirectory("ballast-bind-").FullName;
        try
        {
            Write(config, Policy(backend.Port, port));
            await using var process = new RunningProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "ballast.dll"), "run", "--config", config,
                "--admin-port", admin.ToString(CultureInfo.InvariantCulture)]);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.True(() => Ready(http, admin), "ballast run to be ready", TimeSpan.FromSeconds(60));
            await Eventually.True(() => process.Output.Contains("for changes.", StringComparison.Ordinal), "the folder to be watched", TimeSpan.FromSeconds(60));

            Write(config, Policy(backend.Port, port, takenPort));
            await Eventually.True(() => process.Output.Contains("Rejected the change", StringComparison.Ordinal), "the rejection to be logged", TimeSpan.FromSeconds(30));

            var lines = process.Output.Split('\n');
            var rejection = Assert.Single(lines, l => l.Contains("Rejected the change", StringComparison.Ordinal));
            Assert.Contains($"listener extra cannot bind 127.0.0.1:{takenPort}: Address already in use; still serving snapshot 1; retrying", rejection);
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
            Assert.Equal("a", await http.GetStringAsync($"http://127.0.0.1:{port}/"));
            Assert.Equal("ready: snapshot 1\n", await http.GetStringAsync($"http://127.0.0.1:{admin}/readyz"));
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{admin}/metrics");
            Assert.Contains("\nballast_reload_failures_total 1\n", metrics);

            // The port is free again: a retry applies the same folder (no edit), both listeners serve.
            taken.Stop();
            // Not ready for a moment while the new listener binds (503): read the body whatever the status.
            await Eventually.True(async () => await (await http.GetAsync($"http://127.0.0.1:{admin}/readyz")).Content.ReadAsStringAsync() == "ready: snapshot 2\n",
                "the fixed change to apply", TimeSpan.FromSeconds(30));
            Assert.Equal("a", await http.GetStringAsync($"http://127.0.0.1:{takenPort}/"));
        }
        finally { Directory.Delete(config, recursive: true); }
    }

    private static void Write(string folder, string content)
    {
        // Written aside and moved in: the watcher sees one complete file.
        File.WriteAllText(Path.Combine(folder, "site.yaml.tmp"), content);
        File.Move(Path.Combine(folder, "site.yaml.tmp"), Path.Combine(folder, "site.yaml"), overwrite: true);
    }

    private static string Policy(int backendPort, int port, int? extraPort = null) => StandaloneFolder.PoolAndPolicy(backendPort, $$"""
          listeners:
            - { name: http, port: {{port}}, address: 127.0.0.1 }
        """ + (extraPort is { } extra ? $"\n    - {{ name: extra, port: {extra}, address: 127.0.0.1 }}" : "") + """

          routes: [ { backends: [ { pool: api } ] } ]
        """);

    private static async Task<bool> Ready(HttpClient http, int admin)
    {
        try { return (await http.GetAsync($"http://127.0.0.1:{admin}/readyz")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }
}
