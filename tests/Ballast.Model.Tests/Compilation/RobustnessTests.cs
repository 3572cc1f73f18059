using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;

namespace Ballast.Model.Tests.Compilation;

/// <summary>Resources from the API server skip the YAML loader's checks: the Compiler must still turn holes into diagnostics.</summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":{"name":"p"},"spec":null}""", "spec: required (got null)")]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":null,"spec":{}}""", "metadata: required (got null)")]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":{"name":"p"},"spec":{"listeners":[null]}}""", "spec.listeners[0]: required (got null)")]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":{"name":"p"},"spec":{"listeners":[{"name":null,"port":80}]}}""", "spec.listeners[0].name: required (got null)")]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":{"name":"p"},"spec":{"listeners":[{"name":"a","port":80}],"routes":[{"backends":[{"pool":null}]}]}}""", "spec.routes[0].backends[0].pool: required (got null)")]
    [InlineData("""{"kind":"LoadBalancerPolicy","metadata":{"name":"p"},"spec":{"listeners":[{"name":"a","port":80}],"routes":[{"match":{"methods":[null]},"backends":[{"pool":"x"}]}]}}""", "spec.routes[0].match.methods[0]: required (got null)")]
    public void Nulls_from_the_API_server_are_diagnostics_not_exceptions(string json, string expected)
    {
        var policy = JsonSerializer.Deserialize<LoadBalancerPolicy>(json, ModelJson.Options)!;
        var r = Compiler.Compile(new CompilerInput { Policies = [policy] });
        Assert.Contains(r.Diagnostics, d => $"{d.FieldPath}: {d.Message}" == expected);
        Assert.Empty(r.Snapshot.Listeners);
    }

    [Fact]
    public void Null_pool_parts_are_diagnostics_too()
    {
        var pool = JsonSerializer.Deserialize<BackendPool>("""{"kind":"BackendPool","metadata":{"name":"p"},"spec":{"endpoints":[{"address":null}],"healthCheck":{"active":{"http":{"path":null}}}}}""", ModelJson.Options)!;
        var r = Compiler.Compile(new CompilerInput { Pools = [pool] });
        Assert.Equal(["spec.endpoints[0].address", "spec.healthCheck.active.http.path"], r.Diagnostics.Select(d => d.FieldPath));
    }
}
