using System.Text.Json.Nodes;
using Ballast.KubeEmulator;
using Ballast.KubeEmulator.Manifests;

namespace Ballast.Operator.Tests.Support;

/// <summary>
/// What `kubectl apply -f` does for the tests: YAML documents → create, or replace when they exist. The work is
/// shared with the packaging tests in Ballast.KubeEmulator (<see cref="KubeYaml"/>, <see cref="KubectlApply"/>).
/// </summary>
public static class Manifests
{
    public static List<JsonObject> Parse(string yaml) => KubeYaml.Documents(yaml);

    public static Task ApplyAsync(KubeApiEmulator api, IEnumerable<JsonObject> objects) => KubectlApply.ApplyAsync(api, objects);

    public static Task ApplyFilesAsync(KubeApiEmulator api, params string[] files) => KubectlApply.ApplyFilesAsync(api, files);
}
