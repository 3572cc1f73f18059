using Ballast.Model.Resources;
using static Ballast.Model.Tests.GatewayApi.Gw;

namespace Ballast.Model.Tests.GatewayApi;

/// <summary>A LoadBalancerPolicy's <c>spec.traffic</c> attached to HTTPRoutes and Gateways by <c>targetRefs</c>.</summary>
public sealed class PolicyAttachmentTests
{
    private const string Http80 = "- { name: http, port: 80, protocol: HTTP }";

    private static string Policy(string name, string spec) => $"""
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: {"{"} name: {name} {"}"}
        spec:
        {Indent(spec, 2)}
        """;

    private static string RouteOn(string name, string host) =>
        Route($"parentRefs: [ {{ name: gw }} ]\nhostnames: [ {host} ]\nrules: [ {{ backendRefs: [ {{ name: echo, port: 8080 }} ] }} ]", name);

    [Fact]
    public void A_route_gets_its_own_policy_else_its_gateways_and_a_dangling_target_is_reported()
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), RouteOn("limited", "limited.test"), RouteOn("other", "other.test"),
            Policy("route-limit", """
                targetRefs: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, name: limited } ]
                traffic: { rateLimit: { requestsPerMinute: 2, burst: 2 } }
                """),
            Policy("gateway-deny", """
                targetRefs: [ { group: gateway.networking.k8s.io, kind: Gateway, name: gw }, { group: gateway.networking.k8s.io, kind: HTTPRoute, name: missing } ]
                traffic: { accessControl: { deny: [ 10.9.0.0/16 ] } }
                """));

        var routes = r.Port(80).Routes;
        var limited = routes.Single(x => x.Match.Hosts.Contains("limited.test"));
        var other = routes.Single(x => x.Match.Hosts.Contains("other.test"));
        Assert.NotNull(limited.RateLimit);
        Assert.Null(limited.AccessControl); // the route's own policy replaces its Gateway's
        Assert.Null(other.RateLimit);
        Assert.NotNull(other.AccessControl);

        Assert.Equal(["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"], Brief(r, "route-limit"));
        Assert.Equal(["Accepted=True/Accepted", "ResolvedRefs=False/TargetNotFound"], Brief(r, "gateway-deny"));
        var resolved = r.Statuses[new ResourceKey("LoadBalancerPolicy", "default", "gateway-deny")].Conditions.Single(c => c.Type == "ResolvedRefs");
        Assert.Contains("spec.targetRefs[1]", resolved.Message);
        Assert.Contains("HTTPRoute default/missing not found", resolved.Message);
    }

    [Theory]
    [InlineData("targetRefs: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, name: r } ]", "spec.traffic: required with targetRefs")]
    [InlineData("traffic: { rateLimit: { requestsPerSecond: 1 } }", "spec.targetRefs: required with traffic")]
    [InlineData("targetRefs: [ { group: \"\", kind: Service, name: echo } ]\ntraffic: { rateLimit: { requestsPerSecond: 1 } }",
        "spec.targetRefs[0]: only HTTPRoute, GRPCRoute, Gateway of group gateway.networking.k8s.io can be targeted")]
    [InlineData("targetRefs: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, name: r } ]\ntraffic: { rateLimit: { requestsPerSecond: 0 } }",
        "spec.traffic.rateLimit.requestsPerSecond")]
    public void Attachment_mistakes_name_the_field(string spec, string expected)
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), RouteOn("r", "a.test"), Policy("p", spec));
        Assert.Contains(r.Diagnostics, d => $"{d.FieldPath}: {d.Message}".StartsWith(expected, StringComparison.Ordinal));
    }

    private static string[] Brief(Ballast.Model.Compilation.CompileResult r, string policy) =>
        [.. r.Statuses[new ResourceKey("LoadBalancerPolicy", "default", policy)].Conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}")];
}
