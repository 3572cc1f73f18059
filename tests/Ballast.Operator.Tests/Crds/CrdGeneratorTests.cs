using Ballast.Operator.Crds;
using Ballast.Testing;
using YamlDotNet.RepresentationModel;

namespace Ballast.Operator.Tests.Crds;

public sealed class CrdGeneratorTests
{
    private static IReadOnlyDictionary<string, string> Generated() =>
        CrdGenerator.Generate(SourceDocs.FromFolder(RepoPaths.Of("src", "Model", "Resources")));

    [Fact]
    public void Committed_crds_match_what_the_generator_makes_from_the_types()
    {
        var generated = Generated();
        var committed = Directory.GetFiles(RepoPaths.Of("config", "crds"), "*.yaml").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(generated.Keys.Order().ToArray(), committed);
        foreach (var (name, yaml) in generated)
            Assert.True(yaml == File.ReadAllText(RepoPaths.Of("config", "crds", name)),
                $"config/crds/{name} is stale: run `dotnet run --project src/Operator -- crds --out config/crds`");
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Generated()[file]));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var step in path)
            node = int.TryParse(step, out var i) ? ((YamlSequenceNode)node)[i] : ((YamlMappingNode)node)[step];
        return node;
    }

    private static string S(YamlNode node) => ((YamlScalarNode)node).Value!;

    [Fact]
    public void Pool_crd_has_names_status_subresource_columns_and_cel_rules()
    {
        var crd = Load("ballast.dev_backendpools.yaml");
        Assert.Equal("backendpools.ballast.dev", S(At(crd, "metadata", "name")));
        Assert.Equal("bp", S(At(crd, "spec", "names", "shortNames", "0")));
        Assert.Equal("ballast", S(At(crd, "spec", "names", "categories", "0")));
        var version = At(crd, "spec", "versions", "0");
        Assert.IsType<YamlMappingNode>(At(version, "subresources", "status"));
        var columns = ((YamlSequenceNode)At(version, "additionalPrinterColumns")).Select(c => S(At(c, "name"))).ToArray();
        Assert.Equal(["Algorithm", "Ready", "Total", "Accepted", "Programmed", "Reason", "Age"], columns);

        var spec = At(version, "schema", "openAPIV3Schema", "properties", "spec");
        Assert.Contains("has(self.service) != has(self.endpoints)", S(At(spec, "x-kubernetes-validations", "0", "rule")));
        var hashOn = At(spec, "properties", "loadBalancing", "properties", "hashOn");
        Assert.Contains("size() == 1", S(At(hashOn, "x-kubernetes-validations", "0", "rule")));
        var algorithm = At(spec, "properties", "loadBalancing", "properties", "algorithm");
        Assert.Equal("RoundRobin", S(At(algorithm, "default")));
        Assert.Contains("Maglev", ((YamlSequenceNode)At(algorithm, "enum")).Select(S));
        var port = At(spec, "properties", "service", "properties", "port");
        Assert.Equal("65535", S(At(port, "maximum")));
        Assert.Equal("Endpoints come from this Service's EndpointSlices (Kubernetes only).", S(At(spec, "properties", "service", "description")));
        Assert.Equal(SchemaRules.DurationPattern, S(At(spec, "properties", "drainTimeout", "pattern")));
    }

    [Fact]
    public void Policy_crd_rejects_two_path_kinds_and_duplicate_listener_names()
    {
        var crd = Load("ballast.dev_loadbalancerpolicies.yaml");
        Assert.Equal("lbp", S(At(crd, "spec", "names", "shortNames", "0")));
        var version = At(crd, "spec", "versions", "0");
        var columns = ((YamlSequenceNode)At(version, "additionalPrinterColumns")).Select(c => S(At(c, "name"))).ToArray();
        Assert.Equal(["Accepted", "Programmed", "Reason", "Address", "Hosts", "Split", "Age"], columns);
        Assert.Equal(".status.addresses[0].value", S(At(version, "additionalPrinterColumns", "3", "jsonPath")));
        Assert.Equal("1", S(At(version, "additionalPrinterColumns", "4", "priority"))); // Hosts only with -o wide
        var spec = At(version, "schema", "openAPIV3Schema", "properties", "spec");
        var match = At(spec, "properties", "routes", "items", "properties", "match");
        Assert.Contains("has(self.pathRegex)", S(At(match, "x-kubernetes-validations", "0", "rule")));
        var listeners = At(spec, "properties", "listeners");
        Assert.Equal("map", S(At(listeners, "x-kubernetes-list-type")));
        Assert.Equal("name", S(At(listeners, "x-kubernetes-list-map-keys", "0")));
        Assert.Contains("name", ((YamlSequenceNode)At(listeners, "items", "required")).Select(S));
    }

    [Theory]
    [InlineData("ballast.dev_backendpools.yaml")]
    [InlineData("ballast.dev_loadbalancerpolicies.yaml")]
    public void Every_schema_property_has_a_description_for_kubectl_explain(string file)
    {
        var schema = At(Load(file), "spec", "versions", "0", "schema", "openAPIV3Schema");
        var missing = new List<string>();
        void Walk(YamlNode node, string path)
        {
            if (node is not YamlMappingNode map) return;
            if (map.Children.TryGetValue("properties", out var props))
                foreach (var (key, child) in (YamlMappingNode)props)
                {
                    var childPath = path + "." + S(key);
                    if (!((YamlMappingNode)child).Children.ContainsKey("description")) missing.Add(childPath);
                    Walk(child, childPath);
                }
            if (map.Children.TryGetValue("items", out var items)) Walk(items, path + "[]");
            if (map.Children.TryGetValue("additionalProperties", out var values)) Walk(values, path + "{}");
        }
        Walk(schema, "");
        Assert.True(missing.Count == 0, $"{file}: fields without a description (write a /// <summary> on the C# property or its type in src/Model/Resources):\n" + string.Join("\n", missing));
    }
}
