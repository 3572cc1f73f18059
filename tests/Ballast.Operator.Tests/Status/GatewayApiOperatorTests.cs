using System.Text.Json.Nodes;
using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using k8s;

namespace Ballast.Operator.Tests.Status;

/// <summary>
/// The operator with Gateway API CRDs installed: a GatewayClass, a Gateway and HTTPRoutes applied as kubectl would
/// end with the spec's statuses, and removing a ReferenceGrant turns only the rule that needed it into 500s.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayApiOperatorTests : IAsyncLifetime
{
    private const string G = "gateway.networking.k8s.io";
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync(types: EmulatedCluster.WithGatewayApi);
    public async Task DisposeAsync() => await _f.DisposeAsync();

    /// <summary>The infra namespace the Gateways live in, and our GatewayClass.</summary>
    private const string InfraAndClass = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: infra }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: { name: ballast }
        spec: { controllerName: ballast.dev/gateway-controller }
        """;

    private const string Manifest = InfraAndClass + """

        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: app }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: backends }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: web, namespace: infra }
        spec:
          gatewayClassName: ballast
          listeners:
            - { name: http, port: 8080, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: echo, namespace: app }
        spec: { ports: [ { name: http, port: 8080 } ] }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: shared, namespace: backends }
        spec: { ports: [ { name: http, port: 8080 } ] }
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: { name: from-app, namespace: backends }
        spec:
          from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: app } ]
          to: [ { group: "", kind: Service } ]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: shop, namespace: app }
        spec:
          parentRefs: [ { name: web, namespace: infra } ]
          rules:
            - matches: [ { path: { type: PathPrefix, value: /own } } ]
              backendRefs: [ { name: echo, port: 8080 } ]
            - matches: [ { path: { type: PathPrefix, value: /shared } } ]
              backendRefs: [ { name: shared, namespace: backends, port: 8080 } ]
        """;

    private async Task<JsonObject> GetAsync(string plural, string? ns, string name, string version = "v1")
    {
        var obj = ns is null
            ? await _f.Cluster.Client.CustomObjects.GetClusterCustomObjectAsync(G, version, plural, name)
            : await _f.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(G, version, ns, plural, name);
        return JsonNode.Parse(((System.Text.Json.JsonElement)obj).GetRawText())!.AsObject();
    }

    private static string Brief(JsonNode? conditions, string type)
    {
        var c = conditions?.AsArray().FirstOrDefault(x => x!["type"]!.GetValue<string>() == type);
        return c is null ? "(none)" : $"{c["status"]}/{c["reason"]}";
    }

    private static string Rule(Snapshot s, string path) =>
        string.Join(",", s.Listeners.Single(l => l.Port == 8080).Routes.Single(r => r.Match.Path == path).Backends
            .Select(b => b.Status is { } status ? $"{status}" : b.PoolId));

    [Fact]
    public async Task Gateway_and_routes_end_with_the_specs_statuses_and_a_removed_grant_turns_only_its_rule_into_500()
    {
        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Parse(Manifest));
        await _f.SetEndpointsAsync("app", "echo", ("10.0.0.1", true, true, false));
        await _f.SetEndpointsAsync("backends", "shared", ("10.0.1.1", true, true, false));

        var snapshot = await _f.SnapshotWhereAsync(s => s.Listeners.Length == 1 && s.Listeners[0].Routes.Length == 2
            && s.Pools.Any(p => p.Id == "backends/shared:8080" && p.Endpoints.Length == 1), "the Gateway's port with both rules");
        Assert.Equal("app/echo:8080", Rule(snapshot, "/own"));
        Assert.Equal("backends/shared:8080", Rule(snapshot, "/shared"));

        var cls = await Eventually.GetAsync(() => GetAsync("gatewayclasses", null, "ballast"),
            o => Brief(o["status"]?["conditions"], "Accepted") == "True/Accepted", "GatewayClass Accepted");
        Assert.NotNull(cls["status"]!["conditions"]![0]!["lastTransitionTime"]);

        var route = await Eventually.GetAsync(() => GetAsync("httproutes", "app", "shop"),
            o => o["status"]?["parents"]?.AsArray().Count == 1, "the route's parent status");
        var parent = route["status"]!["parents"]![0]!;
        Assert.Equal("ballast.dev/gateway-controller", parent["controllerName"]!.GetValue<string>());
        Assert.Equal(("web", "infra"), (parent["parentRef"]!["name"]!.GetValue<string>(), parent["parentRef"]!["namespace"]!.GetValue<string>()));
        Assert.Equal("True/Accepted", Brief(parent["conditions"], "Accepted"));
        Assert.Equal("True/ResolvedRefs", Brief(parent["conditions"], "ResolvedRefs"));
        Assert.All(parent["conditions"]!.AsArray(), c => Assert.Equal(1, c!["observedGeneration"]!.GetValue<long>()));

        // Programmed once a replica runs the snapshot, Pending until then.
        var gateway = await GetAsync("gateways", "infra", "web");
        Assert.Equal("True/Accepted", Brief(gateway["status"]?["conditions"], "Accepted"));
        Assert.Equal("False/Pending", Brief(gateway["status"]?["conditions"], "Programmed"));
        await _f.FakeReplicaAppliesAsync("ingress-0");
        gateway = await Eventually.GetAsync(() => GetAsync("gateways", "infra", "web"),
            o => Brief(o["status"]?["conditions"], "Programmed") == "True/Programmed", "Gateway Programmed");
        var listener = gateway["status"]!["listeners"]![0]!;
        Assert.Equal(1, listener["attachedRoutes"]!.GetValue<int>());
        Assert.Equal(["HTTPRoute", "GRPCRoute"], listener["supportedKinds"]!.AsArray().Select(k => k!["kind"]!.GetValue<string>()));
        Assert.Equal("True/Programmed", Brief(listener["conditions"], "Programmed"));

        await _f.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(G, "v1beta1", "backends", "referencegrants", "from-app");
        route = await Eventually.GetAsync(() => GetAsync("httproutes", "app", "shop"),
            o => Brief(o["status"]?["parents"]?[0]?["conditions"], "ResolvedRefs") == "False/RefNotPermitted", "ResolvedRefs=False/RefNotPermitted");
        Assert.Equal("True/Accepted", Brief(route["status"]!["parents"]![0]!["conditions"], "Accepted"));
        snapshot = await _f.SnapshotWhereAsync(s => Rule(s, "/shared") == "500", "the /shared rule answering 500");
        Assert.Equal("app/echo:8080", Rule(snapshot, "/own"));
    }

    [Fact]
    public async Task The_certificate_Secret_an_HTTPS_listener_names_is_watched_and_its_certificate_served_once_it_appears()
    {
        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Parse(InfraAndClass + """

            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: { name: secure, namespace: infra }
            spec:
              gatewayClassName: ballast
              listeners:
                - { name: https, port: 8443, protocol: HTTPS, hostname: shop.example.com, tls: { certificateRefs: [ { name: shop-tls } ] } }
            """));
        var gateway = await Eventually.GetAsync(() => GetAsync("gateways", "infra", "secure"),
            o => Brief(o["status"]?["listeners"]?[0]?["conditions"], "ResolvedRefs") == "False/InvalidCertificateRef", "the missing Secret reported");

        // The Secret appears after the Gateway: only a watch on it can bring the certificate in.
        var (certificate, key) = SelfSignedCertificate.Create("shop.example.com");
        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Parse($$"""
            apiVersion: v1
            kind: Secret
            metadata: { name: shop-tls, namespace: infra }
            type: kubernetes.io/tls
            data: { tls.crt: {{Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate))}}, tls.key: {{Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key))}} }
            """));
        var snapshot = await _f.SnapshotWhereAsync(s => s.Listeners.Any(l => l.Port == 8443 && l.Tls is { Certificates.Length: 1 }), "the HTTPS listener with its certificate");
        var served = snapshot.Listeners.Single(l => l.Port == 8443).Tls!.Certificates[0];
        Assert.Equal("secret infra/shop-tls", served.Source);
        Assert.Equal(certificate.Trim(), served.CertificatePem.Trim());
        gateway = await Eventually.GetAsync(() => GetAsync("gateways", "infra", "secure"),
            o => Brief(o["status"]?["listeners"]?[0]?["conditions"], "ResolvedRefs") == "True/ResolvedRefs", "ResolvedRefs once the Secret exists");
    }
}
