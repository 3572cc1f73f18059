using Ballast.Model.Compilation;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Compilation;

/// <summary>Tests write resources as YAML, the way users do, and compile them.</summary>
internal static class Yaml
{
    public const string Header = "apiVersion: ballast.dev/v1alpha1\n";

    /// <param name="extra">Input the text does not hold (Services, Secrets, files …); the text's own Services and Secrets win.</param>
    /// <param name="loaderWarnings">Whether the loader may warn (a Gateway API field Ballast does not implement); it may never fail.</param>
    public static CompileResult Compile(string yaml, CompilerInput? extra = null, bool loaderWarnings = false, string fileName = "test.yaml")
    {
        var loaded = ResourceLoader.LoadText(yaml, fileName);
        Assert.True(loaderWarnings ? !loaded.HasErrors : loaded.Diagnostics.IsEmpty, string.Join("\n", loaded.Diagnostics));
        var input = extra ?? new CompilerInput();
        return Compiler.Compile(input with
        {
            Policies = loaded.Policies,
            Pools = loaded.Pools,
            Inputs = loaded.Inputs,
            Services = loaded.Services.IsEmpty ? input.Services : loaded.Services,
            Secrets = loaded.Secrets.IsEmpty ? input.Secrets : loaded.Secrets,
            NamespaceLabels = loaded.NamespaceLabels.IsEmpty ? input.NamespaceLabels : loaded.NamespaceLabels,
        });
    }

    /// <summary>A pool named <paramref name="name"/> with one static endpoint, plus <paramref name="specExtra"/> (spec-level YAML lines).</summary>
    public static string Pool(string name, string specExtra = "", string ns = "default", string endpoints = "endpoints: [ { address: \"127.0.0.1:9001\" } ]") =>
        "---\n" + Header + "kind: BackendPool\n" +
        $"metadata: {{ name: {name}, namespace: {ns} }}\n" +
        "spec:\n" + Indent(endpoints + "\n" + specExtra);

    public static string Policy(string name, string spec, string ns = "default", string metadataExtra = "") =>
        "---\n" + Header + "kind: LoadBalancerPolicy\n" +
        $"metadata: {{ name: {name}, namespace: {ns}{metadataExtra} }}\n" +
        "spec:\n" + Indent(spec);

    /// <summary>Indents every line by two spaces (the body of <c>spec:</c>).</summary>
    private static string Indent(string text) =>
        string.Join("", text.Replace("\r", "").Split('\n').Where(l => l.Length > 0).Select(l => "  " + l + "\n"));

    public static string Messages(CompileResult r) => string.Join("\n", r.Diagnostics);

    public static void HasError(CompileResult r, string expected) =>
        Assert.True(r.Diagnostics.Any(d => $"{d.FieldPath}: {d.Message}".Contains(expected, StringComparison.Ordinal)),
            $"expected an error containing «{expected}», got:\n{Messages(r)}");
}
