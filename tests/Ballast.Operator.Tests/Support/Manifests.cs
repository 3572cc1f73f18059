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

    /// <summary>
    /// The shop the end-to-end tests serve: namespace <c>shop</c>, BackendPool <c>shop/v1</c> with one endpoint on
    /// <paramref name="backendPort"/>, and <see cref="ShopPolicy"/>.
    /// </summary>
    public static List<JsonObject> Shop(int listenerPort, int backendPort) => Parse($$"""
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: v1, namespace: shop }
        spec:
          endpoints: [ { address: "127.0.0.1:{{backendPort}}" } ]
        """).Concat(ShopPolicy(listenerPort)).ToList();

    /// <summary>LoadBalancerPolicy <c>shop/shop</c>: one HTTP listener, its route <c>all</c> sending <paramref name="pathPrefix"/> to pool v1.</summary>
    public static List<JsonObject> ShopPolicy(int listenerPort, string pathPrefix = "/") => Parse($$"""
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: shop, namespace: shop }
        spec:
          listeners: [ { name: http, port: {{listenerPort}}, protocol: HTTP } ]
          routes: [ { name: all, match: { pathPrefix: {{pathPrefix}} }, backends: [ { pool: v1 } ] } ]
        """);
}
