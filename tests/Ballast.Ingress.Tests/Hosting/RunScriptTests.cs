using System.Diagnostics;
using System.Net.Sockets;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary>
/// The README's run command, as a user runs it: <c>./run.sh</c> builds, starts three echo backends and
/// Ballast on samples/quickstart, serves on :8080, and Ctrl-C leaves no process behind.
/// Uses the quickstart's fixed ports (8080, 9001-9003, 9901) because that is what the README promises.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RunScriptTests
{
    [Fact]
    public async Task Quickstart_answers_from_all_three_demo_backends_and_ctrl_c_stops_everything()
    {
        var kill = ExternalTool.Require("kill");
        // Its own process group (setsid), so that Ctrl-C can be sent to the group as a terminal does.
        using var script = Process.Start(new ProcessStartInfo(ExternalTool.Require("setsid"), ["bash", RepoPaths.Of("run.sh")])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new System.Text.StringBuilder();
        script.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        script.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        var backends = new HashSet<string>();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            // The script builds in Release first: allow for a cold build on a busy machine. A script that exits early
            // ends the wait too (the assertions below then say what it printed).
            try
            {
                await Eventually.GetAsync(async () =>
                {
                    try
                    {
                        using var response = await client.GetAsync("http://127.0.0.1:8080/hello");
                        if (response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Backend", out var names)) backends.Add(names.Single());
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                    return backends.Count == 3 || script.HasExited;
                }, done => done, "answers from echo-1, echo-2 and echo-3 on :8080", TimeSpan.FromMinutes(4), every: TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n{Snapshot(output)}", e);
            }

        }
        finally
        {
            // Ctrl-C: SIGINT to the script's process group, as a terminal sends it. When the test runner itself was
            // started as a background job, SIGINT is ignored from birth and bash cannot trap it; then SIGTERM takes
            // the same trap path (what a terminal's Ctrl-C would do cannot be reproduced from such a runner).
            if (!script.HasExited)
            {
                var signal = IgnoresSigint(script.Id) ? "-TERM" : "-INT";
                Process.Start(kill, [signal, "--", "-" + script.Id])!.WaitForExit();
            }
        }

        var exited = script.WaitForExit(TimeSpan.FromSeconds(60));
        if (!exited) script.Kill(entireProcessTree: true);
        Assert.True(backends.SetEquals(["echo-1", "echo-2", "echo-3"]),
            $"backends seen: [{string.Join(", ", backends)}]\n{Snapshot(output)}");
        Assert.True(exited, $"run.sh did not stop within 60 s of Ctrl-C\n{Snapshot(output)}");
        // The quickstart turns access logs on: a JSON line per request on standard output.
        Assert.True(Snapshot(output).Split('\n').Any(IsAccessLogLineForHello), $"no JSON access-log line for /hello\n{Snapshot(output)}");

        // A stopping process may hold its socket for a moment: a port gets 5 s to close before it counts as a leftover.
        foreach (var port in new[] { 8080, 9001, 9002, 9003, 9901 })
            await Eventually.True(async () => !await IsListening(port), $"port {port} closed after Ctrl-C\n{Snapshot(output)}", TimeSpan.FromSeconds(5));
    }

    private static bool IsAccessLogLineForHello(string line)
    {
        if (!line.StartsWith('{')) return false;
        try
        {
            var json = System.Text.Json.JsonDocument.Parse(line).RootElement;
            return json.GetProperty("path").GetString() == "/hello" && json.GetProperty("status").GetInt32() == 200
                && json.GetProperty("route").GetString() == "default/quickstart/all";
        }
        catch (System.Text.Json.JsonException) { return false; }
    }

    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0; // bit 1 = SIGINT (2)
    }

    private static async Task<bool> IsListening(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
