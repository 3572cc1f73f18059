using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Manifests;

namespace Ballast.Packaging.Tests.Support;

/// <summary>Multi-document YAML → JSON objects; shared with the operator tests (<see cref="KubeYaml"/>).</summary>
public static class Yaml
{
    public static List<JsonObject> Documents(string yaml) => KubeYaml.Documents(yaml);

    public static JsonObject Single(string yaml) => KubeYaml.Single(yaml);
}
