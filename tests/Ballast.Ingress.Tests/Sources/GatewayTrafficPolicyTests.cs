using System.Net;
using Ballast.Ingress.Tests.Support;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// Traffic policies on Gateway API routes by policy attachment, in standalone mode over real sockets: a
/// LoadBalancerPolicy targeting an HTTPRoute rate-limits it; one targeting the Gateway denies the client on the
/// Gateway's other routes; the route's own policy replaces the Gateway's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayTrafficPolicyTests
{
    [Fact]
    public async Task A_policy_on_an_httproute_limits_it_and_one_on_the_gateway_covers_the_other_routes()
    {
        await using var echo = await EchoBackend.StartAsync("echo");
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, ("all.yaml", GatewayApiYaml.Gateway($"{{ name: http, port: {port}, protocol: HTTP }}") + $$"""
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: limited }
            spec:
              parentRefs: [ { name: gw } ]
              hostnames: [ limited.test ]
              rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: other }
            spec:
              parentRefs: [ { name: gw } ]
              hostnames: [ other.test ]
              rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: limit-the-route }
            spec:
              targetRefs: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, name: limited } ]
              traffic: { rateLimit: { requestsPerMinute: 2, burst: 2 } }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: deny-on-the-gateway }
            spec:
              targetRefs: [ { group: gateway.networking.k8s.io, kind: Gateway, name: gw } ]
              traffic: { accessControl: { deny: [ 127.0.0.0/8 ] } }

            """ + GatewayApiYaml.Service("default", "echo", echo.Port)));
        var client = ingress.Client(port);

        async Task<HttpStatusCode> Send(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var limited = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) limited.Add(await Send("limited.test"));
        var other = await Send("other.test");

        // The route's own policy (burst 2 a minute) replaces the Gateway's deny list on that route.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], limited);
        // The Gateway's policy covers its other routes: 127.0.0.1 is denied there.
        Assert.Equal(HttpStatusCode.Forbidden, other);
        Assert.Equal(2, echo.Received.Count);
    }
}
