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
        File.WriteAllText(Path.Combine(config, "policy.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: web, namespace: shop }
            spec:
              listeners: [ { name: http, port: {{port}}, address: 127.0.0.1 } ]
              routes: [ { backends: [ { pool: api } ] } ]
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
        var error = Assert.Single(logs, l => l.GetProperty("LogLevel").GetString() == "Error" && l.GetProperty("Message").GetString()!.Contains("weight"));
        var scope = Assert.Single(error.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("kind", out _));
        Assert.Equal("BackendPool", scope.GetProperty("kind").GetString());
        Assert.Equal("shop", scope.GetProperty("namespace").GetString());
        Assert.Equal("api", scope.GetProperty("name").GetString());
        Assert.Equal("spec.endpoints[0].weight", scope.GetProperty("field").GetString());
        Assert.EndsWith("pool.yaml", scope.GetProperty("file").GetString());
        Assert.Equal(5, scope.GetProperty("line").GetInt32());
        Directory.Delete(config, recursive: true);
    }

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
