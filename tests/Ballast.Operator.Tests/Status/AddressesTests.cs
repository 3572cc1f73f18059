using Ballast.Model.Resources;
using Ballast.Operator.Status;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Status;

/// <summary>Issue 17: every policy's status.addresses follows the ingress Service's load-balancer status.</summary>
[Trait("Category", "Integration")]
public sealed class AddressesTests
{
    private static IEnumerable<(string, string)> Pairs(List<PolicyAddress>? addresses) => (addresses ?? []).Select(a => (a.Type, a.Value));

    [Fact]
    public void Configured_addresses_win_then_the_load_balancer_then_the_nodes_external_or_internal_ones()
    {
        var lb = new V1Service { Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "203.0.113.10" }, new V1LoadBalancerIngress { Hostname = "lb.example.com" }] } } };
        var pending = new V1Service { Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() } };
        V1Node Node(params (string Type, string Address)[] addresses) => new() { Status = new V1NodeStatus { Addresses = addresses.Select(a => new V1NodeAddress { Address = a.Address, Type = a.Type }).ToList() } };
        var nodes = new[] { Node(("InternalIP", "10.0.0.1"), ("ExternalIP", "198.51.100.1")), Node(("InternalIP", "10.0.0.2")) };

        Assert.Equal([("IPAddress", "203.0.113.10"), ("Hostname", "lb.example.com")], Pairs(IngressAddresses.From([], lb, nodes)));
        Assert.Equal([("Hostname", "shop.example.com"), ("IPAddress", "2001:db8::1")], Pairs(IngressAddresses.From(["shop.example.com", "2001:db8::1"], lb, nodes)));
        Assert.Equal([("IPAddress", "198.51.100.1"), ("IPAddress", "10.0.0.2")], Pairs(IngressAddresses.From([], pending, nodes)));
        Assert.Null(IngressAddresses.From([], pending, []));
    }

    [Fact]
    public async Task Policy_addresses_follow_the_ingress_Services_load_balancer_status()
    {
        await using var f = await OperatorFixture.StartAsync(configure: o => o with
        {
            Addresses = new Ballast.Operator.Reconcile.AddressSources { IngressService = "ballast-system/ballast-ingress" },
        });
        await Manifests.ApplyAsync(f.Cluster.Api, Manifests.Parse("""
            apiVersion: v1
            kind: Namespace
            metadata: { name: ballast-system }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: ballast-ingress, namespace: ballast-system }
            spec:
              type: LoadBalancer
              ports: [ { name: http, port: 80, targetPort: 8080 } ]
            """).Concat(Manifests.Shop(listenerPort: 8080, backendPort: 9)));
        async Task<string> AddressesAsync() =>
            (await f.GetAsync("loadbalancerpolicies", "shop", "shop"))["status"]?["addresses"]?.ToJsonString() ?? "none";
        await Eventually.GetAsync(() => f.Operator.Controller.StatusWrites, n => n > 0, "the policy's first status");
        Assert.Equal("none", await AddressesAsync()); // the cloud has not assigned an address yet

        // What the cloud's load-balancer controller does: write the Service's status.
        await SetIngressAsync(f.Cluster, """[{"ip":"203.0.113.10"},{"hostname":"lb.example.com"}]""");
        await Eventually.GetAsync(AddressesAsync, a => a == """[{"type":"IPAddress","value":"203.0.113.10"},{"type":"Hostname","value":"lb.example.com"}]""",
            "status.addresses from the load balancer");
        await SetIngressAsync(f.Cluster, """[{"ip":"203.0.113.99"}]""");
        await Eventually.GetAsync(AddressesAsync, a => a == """[{"type":"IPAddress","value":"203.0.113.99"}]""", "status.addresses after the load balancer changed");
    }

    private static Task SetIngressAsync(EmulatedCluster cluster, string ingressJson) =>
        cluster.Client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch("""{"status":{"loadBalancer":{"ingress":""" + ingressJson + "}}}", V1Patch.PatchType.MergePatch),
            "ballast-ingress", "ballast-system");
}
