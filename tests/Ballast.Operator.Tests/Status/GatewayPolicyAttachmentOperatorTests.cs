using System.Net;
using Ballast.Operator.Tests.Support;

namespace Ballast.Operator.Tests.Status;

/// <summary>
/// Policy attachment in a cluster: LoadBalancerPolicies whose <c>targetRefs</c> name an HTTPRoute and a Gateway, applied
/// as kubectl would, reach a replica the operator feeds: the route's own rate limit replaces the Gateway's, the Gateway's
/// covers its other routes, and a targetRef that names nothing is <c>ResolvedRefs=False/TargetNotFound</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayPolicyAttachmentOperatorTests
{
    private static string Manifest(int port, int backendPort) => OperatorWithReplica.Gateway("shop", port) + $$"""

        ---
        apiVersion: v1
        kind: Service
        metadata: { name: echo, namespace: shop }
        spec: { ports: [ { name: http, port: 8080 } ] }
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: echo-1, namespace: shop, labels: { kubernetes.io/service-name: echo } }
        addressType: IPv4
        ports: [ { name: http, port: {{backendPort}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ], conditions: { ready: true } } ]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: limited, namespace: shop }
        spec:
          parentRefs: [ { name: web } ]
          hostnames: [ limited.test ]
          rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: other, namespace: shop }
        spec:
          parentRefs: [ { name: web } ]
          hostnames: [ other.test ]
          rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: route-limit, namespace: shop }
        spec:
          targetRefs: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, name: limited } ]
          traffic: { rateLimit: { requestsPerMinute: 1, burst: 3 } }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: gateway-limit, namespace: shop }
        spec:
          targetRefs:
            - { group: gateway.networking.k8s.io, kind: Gateway, name: web }
            - { group: gateway.networking.k8s.io, kind: HTTPRoute, name: missing }
          traffic: { rateLimit: { requestsPerMinute: 1, burst: 1 } }
        """;

    [Fact]
    public async Task The_routes_own_policy_replaces_the_Gateways_which_covers_its_other_routes_and_a_missing_target_is_TargetNotFound()
    {
        await using var c = await OperatorWithReplica.StartAsync();
        await using var echo = await TestBackend.StartAsync("echo");
        var port = FreePort.Next();
        await c.ApplyAsync(Manifest(port, echo.Port));

        // Wait on what the replica runs, not on requests: a probe would spend the limits under test.
        await Eventually.True(() => c.ReplicaSnapshot.Listeners.SingleOrDefault(l => l.Port == port) is { } l
            && l.Routes.SingleOrDefault(r => r.Match.Hosts.Contains("limited.test"))?.RateLimit?.Burst == 3
            && l.Routes.SingleOrDefault(r => r.Match.Hosts.Contains("other.test"))?.RateLimit?.Burst == 1
            && c.ReplicaSnapshot.Pools.Any(p => p.Id == "shop/echo:8080" && p.Endpoints.Length == 1), "both routes with their limits and the echo endpoint on the replica");
        await Eventually.GetAsync(() => c.GetAsync(port, "nobody.test"), r => r.Status == HttpStatusCode.NotFound, "the listener bound");

        var limited = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) limited.Add((await c.GetAsync(port, "limited.test")).Status);
        var other = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++) other.Add((await c.GetAsync(port, "other.test")).Status);

        // The route's own policy (burst 3) replaced the Gateway's (burst 1) on it; the Gateway's covers the other route,
        // whose first request the exhausted route limit did not touch.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], limited);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], other);
        Assert.Equal(4, echo.Requests);

        var lost = await c.Fixture.UntilConditionAsync("loadbalancerpolicies", "shop", "gateway-limit", "ResolvedRefs", "False", "ResolvedRefs=False on the policy with a missing target");
        Assert.Equal("TargetNotFound", OperatorFixture.Condition(lost, "ResolvedRefs")!["reason"]!.GetValue<string>());
        Assert.Contains("HTTPRoute shop/missing not found", OperatorFixture.Condition(lost, "ResolvedRefs")!["message"]!.GetValue<string>());
        Assert.Equal("True", OperatorFixture.Condition(lost, "Accepted")!["status"]!.GetValue<string>());
        var found = await c.Fixture.UntilConditionAsync("loadbalancerpolicies", "shop", "route-limit", "ResolvedRefs", "True", "ResolvedRefs=True on the route's policy");
        Assert.Equal("True", OperatorFixture.Condition(found, "Accepted")!["status"]!.GetValue<string>());
    }
}
