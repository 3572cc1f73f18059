using System.Globalization;
using System.Text.Json;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Logging;

/// <summary><c>ballast run --log-format json</c> as a log shipper reads it: every line a JSON object, resource lines with their fields.</summary>
[Trait("Category", "Integration")]
public sealed class JsonLogTests
{
    [Fact]
    public async Task Json_logs_parse_line_by_line_and_a_rejected_resource_names_its_kind_namespace_name_and_field()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var port = FreePort.Next();
        var admin = FreePort.Next();
        var config = Directory.CreateTempSubdirectory("ballast-jsonlog-").FullName;
        string Pool(int weight) => $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api, namespace: shop }
            spec:
              endpoints: [ { address: "127.0.0.1:{{backend.Port}}", weight: {{weight}} } ]
            """;
        File.WriteAllText(Path.Combine(config, "pool.yaml"), Pool(1));
        // A pool whose only endpoint refuses connections: its active check marks it down (a health transition).
        File.WriteAllText(Path.Combine(config, "down.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: down, namespace: shop }
            spec:
              endpoints: [ { address: "127.0.0.1:{{FreePort.Next()}}" } ]
              healthCheck: { active: { tcp: {}, interval: 100ms, timeout: 50ms, unhealthyThreshold: 1 } }
            """);
        File.WriteAllText(Path.Combine(config, "policy.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: web, namespace: shop }
            spec:
              listeners: [ { name: http, port: {{port}}, address: 127.0.0.1 } ]
              routes:
                - { match: { pathPrefix: /down }, backends: [ { pool: down } ] }
                - { backends: [ { pool: api } ] }
            """);
        await using var process = new RunningProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "ballast.dll"), "run", "--config", config,
            "--admin-port", admin.ToString(CultureInfo.InvariantCulture), "--log-format", "json"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(() => Ready(http, admin), "ballast run to be ready", TimeSpan.FromMilliseconds(30_000));
        // The folder is watched from this line on; an edit before it would go unseen until the next one.
        await Eventually.True(() => process.Output.Contains("for changes.", StringComparison.Ordinal), "the folder to be watched", TimeSpan.FromMilliseconds(30_000));

        // A bad edit: the weight is out of range, so the change is rejected and the last good snapshot keeps serving.
        File.WriteAllText(Path.Combine(config, "pool.yaml.tmp"), Pool(5000));
        File.Move(Path.Combine(config, "pool.yaml.tmp"), Path.Combine(config, "pool.yaml"), overwrite: true);
        try { await Eventually.True(() => process.Output.Contains("Rejected the change", StringComparison.Ordinal), "the rejection to be logged", TimeSpan.FromMilliseconds(30_000)); }
        catch (TimeoutException) { Assert.Fail("the rejection was not logged; output:\n" + process.Output); }

        // Fixed by a different good edit: applied. Broken and fixed back to what serves: unchanged.
        void Write(int weight)
        {
            File.WriteAllText(Path.Combine(config, "pool.yaml.tmp"), Pool(weight));
            File.Move(Path.Combine(config, "pool.yaml.tmp"), Path.Combine(config, "pool.yaml"), overwrite: true);
        }
        async Task WaitFor(string text, int count, string what)
        {
            try { await Eventually.True(() => Messages(process.Output).Count(m => m.Contains(text, StringComparison.Ordinal)) >= count, what, TimeSpan.FromMilliseconds(30_000)); }
            catch (TimeoutException) { Assert.Fail($"{what}: not logged; output:\n{process.Output}"); }
        }
        Write(2);
        await WaitFor("is valid again; the change was applied as snapshot 2.", 1, "the fix logged as applied");
        Write(5000);
        await WaitFor("Rejected the change", 2, "the second rejection");
        Write(2);
        await WaitFor("is valid again; unchanged: same as the serving snapshot 2.", 1, "the fix back to the serving configuration logged as unchanged");
        await WaitFor("ActiveDown", 1, "the down pool's health transition");

        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = lines.Select(l => (Line: l, Json: TryParse(l))).ToList();
        Assert.True(parsed.All(p => p.Json is not null), "not JSON: " + string.Join("\n", parsed.Where(p => p.Json is null).Select(p => p.Line)));
        var logs = parsed.Select(p => p.Json!.Value).ToList();
        Assert.All(logs, l =>
        {
            Assert.True(DateTimeOffset.TryParse(l.GetProperty("Timestamp").GetString(), CultureInfo.InvariantCulture, out _));
            Assert.False(string.IsNullOrEmpty(l.GetProperty("LogLevel").GetString()));
            Assert.False(string.IsNullOrEmpty(l.GetProperty("Message").GetString()));
        });
        var error = logs.First(l => l.GetProperty("LogLevel").GetString() == "Error" && l.GetProperty("Message").GetString()!.Contains("weight"));
        var scope = Assert.Single(error.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("kind", out _));
        Assert.Equal("BackendPool", scope.GetProperty("kind").GetString());
        Assert.Equal("shop", scope.GetProperty("namespace").GetString());
        Assert.Equal("api", scope.GetProperty("name").GetString());
        Assert.Equal("spec.endpoints[0].weight", scope.GetProperty("field").GetString());
        Assert.EndsWith("pool.yaml", scope.GetProperty("file").GetString());
        Assert.Equal(5, scope.GetProperty("line").GetInt32());

        // A health transition names its pool as fields too (not only in the text of the message).
        var transition = logs.First(l => l.GetProperty("Message").GetString()!.Contains("ActiveDown", StringComparison.Ordinal));
        var pool = Assert.Single(transition.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("kind", out _));
        Assert.Equal(("BackendPool", "shop", "down"), (pool.GetProperty("kind").GetString(), pool.GetProperty("namespace").GetString(), pool.GetProperty("name").GetString()));
        Directory.Delete(config, recursive: true);
    }

    /// <summary>The messages of the JSON lines written so far (a line still being written is skipped).</summary>
    private static IEnumerable<string> Messages(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TryParse)
            .Where(l => l is { } json && json.TryGetProperty("Message", out _)).Select(l => l!.Value.GetProperty("Message").GetString() ?? "");

    private static JsonElement? TryParse(string line)
    {
        try { return JsonDocument.Parse(line).RootElement; }
        catch (JsonException) { return null; }
    }

    private static bool Ready(HttpClient http, int admin)
    {
        try { return http.GetAsync($"http://127.0.0.1:{admin}/readyz").GetAwaiter().GetResult().IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }
}
