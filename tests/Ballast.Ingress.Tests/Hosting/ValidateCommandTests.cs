using System.Text.Json;
using Ballast.Ingress.Hosting;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary><c>ballast validate</c>: files, folders and standard input, text and JSON output, and every warning the issue lists.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ballast-validate-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> ValidateAsync(string stdin, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["validate", .. args], new StringReader(stdin), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) => text.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private const string Policy = """
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: web }
        spec:
          listeners: [ { name: http, port: 8080 } ]
          routes: [ { backends: [ { pool: api } ] } ]
        """;

    private const string Pool = """
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: api }
        spec:
          endpoints: [ { address: "127.0.0.1:9001" } ]
        """;

    [Fact]
    public async Task A_folder_a_file_and_standard_input_are_compiled_together()
    {
        var folder = Path.Combine(_dir.FullName, "policies");
        Write("policies/policy.yaml", Policy);
        var pool = Write("pool.yaml", Pool);
        var (code, output, _) = await ValidateAsync("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: other }
            spec:
              endpoints: [ { address: "127.0.0.1:9002" } ]
            """, folder, pool, "-");
        Assert.Equal(0, code);
        Assert.Equal($"OK: 1 LoadBalancerPolicy, 2 BackendPool, 1 listener(s), 1 route(s) in {folder} {pool} -", Lines(output)[^1]);

        // Without the file the policy's pool is missing: the folder alone is not valid.
        (code, output, _) = await ValidateAsync("", folder);
        Assert.Equal(1, code);
        Assert.Contains("policy.yaml:6:35: LoadBalancerPolicy default/web: spec.routes[0].backends[0].pool: BackendPool \"api\" not found in namespace \"default\"", Lines(output));
    }

    [Fact]
    public async Task Problems_on_standard_input_name_stdin_and_the_line()
    {
        var (code, output, _) = await ValidateAsync(Policy, "-");
        Assert.Equal(1, code);
        Assert.StartsWith("<stdin>:6:35: LoadBalancerPolicy default/web: spec.routes[0].backends[0].pool:", Lines(output)[0]);
        Assert.Equal("1 error in -", Lines(output)[^1]);
    }

    [Fact]
    public async Task Json_output_is_one_object_with_every_diagnostic_field_by_field()
    {
        var (code, output, _) = await ValidateAsync(Policy + "\n---\n" + Pool.Replace("address: \"127.0.0.1:9001\"", "address: \"127.0.0.1:9001\", weight: 3", StringComparison.Ordinal),
            "--output", "json", "-");
        Assert.Equal(0, code);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.True(report.GetProperty("valid").GetBoolean());
        Assert.Equal((0, 1), (report.GetProperty("errors").GetInt32(), report.GetProperty("warnings").GetInt32()));
        var warning = Assert.Single(report.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("warning", warning.GetProperty("severity").GetString());
        Assert.Equal("<stdin>", warning.GetProperty("file").GetString());
        Assert.Equal(12, warning.GetProperty("line").GetInt32());
        Assert.Equal(("BackendPool", "default", "api"), (warning.GetProperty("kind").GetString(), warning.GetProperty("namespace").GetString(), warning.GetProperty("name").GetString()));
        Assert.Equal("spec.endpoints[0].weight", warning.GetProperty("field").GetString());
        Assert.Equal(1, report.GetProperty("found").GetProperty("policies").GetInt32());

        (code, output, _) = await ValidateAsync("", "--output", "yaml", "-");
        Assert.Equal(2, code);
    }

    [Theory]
    [InlineData("RoundRobin", "WeightedRoundRobin")]
    [InlineData("LeastConnections", "WeightedLeastConnections")]
    [InlineData("Random", "WeightedRandom")]
    public async Task Weights_on_an_algorithm_that_ignores_them_are_a_warning(string algorithm, string instead)
    {
        Write("policy.yaml", Policy);
        Write("pool.yaml", $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api }
            spec:
              loadBalancing: { algorithm: {{algorithm}} }
              endpoints:
                - { address: "127.0.0.1:9001", weight: 3 }
                - { address: "127.0.0.1:9002" }
            """);
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.Equal(0, code);
        Assert.Equal($"warning: pool.yaml:7:44: BackendPool default/api: spec.endpoints[0].weight: weight 3 has no effect: {algorithm} ignores weights (use {instead}, or drop the weight)",
            Lines(output)[0]);
        Assert.EndsWith("; 1 warning", Lines(output)[^1]);

        // A weighted algorithm reads them: no warning.
        Write("pool.yaml", File.ReadAllText(Path.Combine(_dir.FullName, "pool.yaml")).Replace(algorithm, instead, StringComparison.Ordinal));
        Assert.DoesNotContain("warning", (await ValidateAsync("", _dir.FullName)).Out);
    }

    [Fact]
    public async Task An_apiVersion_of_another_group_is_a_warning_at_its_line_and_the_document_is_skipped()
    {
        Write("all.yaml", Pool + "\n---\n" + Policy + "\n---\n" + """
            apiVersion: balast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: typo }
            spec: {}
            """);
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.Equal(0, code);
        var warning = Assert.Single(Lines(output), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.StartsWith("warning: all.yaml:14:13: apiVersion: \"balast.dev/v1alpha1\" is not an API group Ballast reads; BackendPool typo is skipped (Ballast reads ballast.dev", warning);
        Assert.Contains("1 BackendPool", Lines(output)[^1]);
    }

    [Fact]
    public async Task Json_manifests_are_read_like_yaml()
    {
        Write("policy.yaml", Policy);
        Write("pool.json", """
            {
            	"apiVersion": "ballast.dev/v1alpha1",
            	"kind": "BackendPool",
            	"metadata": { "name": "api" },
            	"spec": { "endpoints": [ { "address": "127.0.0.1:9001" } ] }
            }
            """);
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.True(code == 0, output);
        Assert.StartsWith("OK: 1 LoadBalancerPolicy, 1 BackendPool,", Lines(output)[^1]);
    }

    [Fact]
    public async Task Kubernetes_kinds_Ballast_does_not_read_are_listed_once_as_ignored()
    {
        const string deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: NAME }\nspec: {}\n";
        Write("app.yaml", string.Join("---\n", deployment.Replace("NAME", "a", StringComparison.Ordinal), deployment.Replace("NAME", "b", StringComparison.Ordinal),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r }\n"));
        Write("policy.yaml", Policy + "\n---\n" + Pool);
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.Equal(0, code);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal("ignored (kinds Ballast does not read): ClusterRole (rbac.authorization.k8s.io/v1), ConfigMap (v1), Deployment (apps/v1) ×2", lines[0]);
    }

    [Fact]
    public async Task A_tab_in_indentation_is_reported_at_its_own_line()
    {
        Write("pool.yaml", "apiVersion: ballast.dev/v1alpha1\nkind: BackendPool\nmetadata:\n  name: api\nspec:\n  endpoints:\n\t- address: \"127.0.0.1:9001\"\n");
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.Equal(1, code);
        Assert.Equal("pool.yaml:7:1: a tab in indentation (YAML indents with spaces only); the whole file is skipped", Lines(output)[0]);
    }

    [Fact]
    public async Task A_pool_with_errors_of_its_own_is_reported_once_and_its_referrers_say_it_is_invalid()
    {
        Write("policy.yaml", Policy);
        Write("pool.yaml", Pool.Replace("endpoints: [ { address: \"127.0.0.1:9001\" } ]", "endpoints: [ { address: \"127.0.0.1:9001\", weigth: 2 } ]", StringComparison.Ordinal));
        var (code, output, _) = await ValidateAsync("", _dir.FullName);
        Assert.Equal(1, code);
        var lines = Lines(output);
        Assert.Single(lines, l => l.Contains("BackendPool default/api:", StringComparison.Ordinal) && l.Contains("weigth", StringComparison.Ordinal));
        Assert.Contains("policy.yaml:6:35: LoadBalancerPolicy default/web: spec.routes[0].backends[0].pool: refers to invalid BackendPool \"api\" in namespace \"default\" (its own errors say why)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("not found", StringComparison.Ordinal));
        Assert.Equal("2 errors in " + _dir.FullName, lines[^1]);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_a_missing_path_exits_1()
    {
        Assert.Equal(2, (await ValidateAsync("")).Code);
        var (code, _, error) = await ValidateAsync("", "/nonexistent/ballast");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/ballast: no such file or directory", error);
        Assert.Equal(0, (await ValidateAsync("", RepoPaths.Of("samples", "quickstart"))).Code);
    }
}
