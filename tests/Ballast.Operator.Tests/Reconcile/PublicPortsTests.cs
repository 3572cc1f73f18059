using System.Net;
using Ballast.Operator.Reconcile;
using Ballast.Operator.Tests.Support;
using k8s.Models;

namespace Ballast.Operator.Tests.Reconcile;

/// <summary>Which port clients reach a container port on: the ingress Service's port that targets it, by number or by name.</summary>
public sealed class PublicPortsTests
{
    private static V1ServicePort Port(string name, int port, string targetPort, string? protocol = null, int? nodePort = null) =>
        new() { Name = name, Port = port, TargetPort = targetPort, Protocol = protocol, NodePort = nodePort };

    private static V1Service Service(string type, params V1ServicePort[] ports) => new() { Spec = new V1ServiceSpec { Type = type, Ports = ports } };

    private static V1EndpointSlice Slice(params (string Name, int Port)[] ports) =>
        new() { Ports = [.. ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Port })] };

    [Fact]
    public void A_container_port_maps_to_the_Service_port_targeting_it_by_number_or_by_a_name_the_EndpointSlices_resolve()
    {
        var service = Service("LoadBalancer", Port("http", 80, "http"), Port("https", 443, "8443"), Port("dns", 53, "5353", protocol: "UDP"));

        Assert.Equal(new Dictionary<int, int> { [8080] = 80, [8443] = 443 }, PublicPorts.From(service, [Slice(("http", 8080), ("https", 8443))]));
        // No EndpointSlice yet: a named target port is not known, so its listener keeps its own port.
        Assert.Equal(new Dictionary<int, int> { [8443] = 443 }, PublicPorts.From(service, []));
        Assert.Equal(new Dictionary<int, int> { [8080] = 30080 },
            PublicPorts.From(Service("NodePort", Port("http", 80, "8080", nodePort: 30080)), []));
        Assert.Empty(PublicPorts.From(null, [Slice(("http", 8080))]));
    }
}

/// <summary>
/// In a cluster the listener binds the pods' container port while clients use the ingress Service's port: a Gateway API
/// redirect without a port, answered by a replica the operator feeds, names the Service's port (none for 80), not :8080.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PublicPortsInClusterTests
{
    [Fact]
    public async Task A_redirect_without_a_port_names_the_ingress_Services_port_not_the_container_port()
    {
        await using var c = await OperatorWithReplica.StartAsync();
        var port = FreePort.Next();
        await c.ApplyAsync(OperatorWithReplica.Gateway("shop", port) + """

            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: moved, namespace: shop }
            spec:
              parentRefs: [ { name: web } ]
              rules:
                - matches: [ { path: { type: PathPrefix, value: /old } } ]
                  filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: /new } } } ]
            """);
        // No ingress Service yet: clients are taken to reach the listener on its own port.
        await Eventually.GetAsync(() => c.GetAsync(port, "shop.example.com", "/old?x=1"),
            r => r == (HttpStatusCode.Found, $"http://shop.example.com:{port}/new?x=1"), "the redirect on the listener's own port");

        // The chart's Service: port 80 → the container port named http, which the EndpointSlice controller resolved.
        await c.ApplyAsync(OperatorWithReplica.IngressServiceYaml(containerPort: port));
        await Eventually.GetAsync(() => c.GetAsync(port, "shop.example.com", "/old?x=1"),
            r => r == (HttpStatusCode.Found, "http://shop.example.com/new?x=1"), "the redirect on the Service's port 80, left out of Location");
        Assert.Equal(80, c.Fixture.Operator.Hub.Current.Listeners.Single(l => l.Port == port).PublicPort);
    }
}
