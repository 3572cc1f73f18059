using Ballast.Model.Compilation;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.GatewayApi;

/// <summary>Gateway API YAML is read with the same file:line:field errors as Ballast's own resources.</summary>
public class GatewayLoadingTests
{
    [Fact]
    public void Every_kind_is_read_in_its_served_versions()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: { name: ballast }
            spec: { controllerName: ballast.dev/gateway-controller }
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: Gateway
            metadata: { name: gw }
            spec: { gatewayClassName: ballast, listeners: [ { name: http, port: 80, protocol: HTTP } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: HTTPRoute
            metadata: { name: r }
            spec: { parentRefs: [ { name: gw } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: { name: g }
            spec: { parentRefs: [ { name: gw } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: { name: rg }
            spec: { from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a } ], to: [ { group: "", kind: Service } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: { name: t }
            spec: { parentRefs: [ { name: gw } ], hostnames: [ a.example.com ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: { name: c }
            spec: { parentRefs: [ { name: gw } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: UDPRoute
            metadata: { name: u }
            spec: { parentRefs: [ { name: gw } ] }
            """, "gw.yaml");
        Assert.Empty(r.Diagnostics);
        Assert.Equal(["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant", "TLSRoute", "TCPRoute", "UDPRoute"], r.Inputs.Select(i => i.Kind));
        Assert.Equal("", r.Inputs[0].Key.Namespace); // cluster-scoped
    }

    [Fact]
    public void A_mistake_in_a_route_names_file_line_and_field_with_the_closest_name()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: r, namespace: shop }
            spec:
              parentRefs: [ { name: gw } ]
              rules:
                - matches: [ { path: { type: Prefix, value: /a } } ]
                  backendRef: [ { name: echo, port: 8080 } ]
            """, "route.yaml");
        Assert.Equal([
            "route.yaml:7:34: HTTPRoute shop/r: spec.rules[0].matches[0].path.type: expected one of Exact, PathPrefix, RegularExpression, got \"Prefix\"",
            "route.yaml:8:7: HTTPRoute shop/r: spec.rules[0].backendRef: unknown field (did you mean \"backendRefs\"?)",
        ], r.Diagnostics.Select(d => d.ToString()));
        Assert.Empty(r.Inputs);
    }

    [Fact]
    public void Gateway_api_kinds_or_versions_ballast_does_not_read_are_a_warning_and_skipped()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1alpha3
            kind: BackendTLSPolicy
            metadata: { name: p }
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: HTTPRoute
            metadata: { name: old }
            """, "x.yaml");
        Assert.All(r.Diagnostics, d => Assert.Equal(Severity.Warning, d.Severity));
        Assert.Equal([
            "x.yaml:1:1: kind: Ballast does not read BackendTLSPolicy of gateway.networking.k8s.io; skipped (it reads GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant, TLSRoute, TCPRoute, UDPRoute)",
            "x.yaml:5:1: apiVersion: Ballast does not read HTTPRoute in gateway.networking.k8s.io/v1alpha2; skipped (it reads gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1)",
        ], r.Diagnostics.Select(d => d.ToString()));
        Assert.Empty(r.Inputs);
        Assert.IsType<GatewayClass>(ResourceLoader.LoadText("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: c }\nspec: { controllerName: x }", "c.yaml").Inputs[0]);
    }
}
