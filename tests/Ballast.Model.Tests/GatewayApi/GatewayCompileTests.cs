using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using static Ballast.Model.Tests.GatewayApi.Gw;

namespace Ballast.Model.Tests.GatewayApi;

/// <summary>Gateways, routes and their statuses as the Gateway API spec writes them.</summary>
public class GatewayCompileTests
{
    private const string Http80 = "- { name: http, port: 80, protocol: HTTP }";

    [Fact]
    public void A_route_on_a_gateway_is_served_on_its_port_and_every_object_says_so_in_the_specs_words()
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            """, extra: ", generation: 3"));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal([" Prefix / → default/echo:8080x1"], r.Port(80).Table());
        Assert.Equal("10.0.0.1:9000", Assert.Single(r.Snapshot.Pools.Single(p => p.Id == "default/echo:8080").Endpoints).Id);

        var cls = (Ballast.Model.Resources.GatewayApi.GatewayClassStatus)r.Statuses[new ResourceKey("GatewayClass", "", "ballast")].KindStatus!;
        Assert.Equal(["Accepted=True/Accepted"], cls.Conditions.Brief());
        var gw = r.GatewayStatus();
        Assert.Equal(["Accepted=True/Accepted", "Programmed=True/Programmed"], gw.Conditions.Brief());
        var listener = Assert.Single(gw.Listeners);
        Assert.Equal(1, listener.AttachedRoutes);
        Assert.Equal(["HTTPRoute", "GRPCRoute"], listener.SupportedKinds.Select(k => k.Kind));
        Assert.Equal(["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs", "Conflicted=False/NoConflicts", "Programmed=True/Programmed"], listener.Conditions.Brief());
        var parent = Assert.Single(r.RouteStatus().Parents);
        Assert.Equal("ballast.dev/gateway-controller", parent.ControllerName);
        Assert.Equal("gw", parent.ParentRef.Name);
        Assert.Equal(["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"], parent.Conditions.Brief());
        Assert.All(parent.Conditions, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void Gateways_of_another_controller_and_their_routes_get_no_status_and_no_port()
    {
        var r = Compile(Class.Replace("ballast.dev/gateway-controller", "example.com/other"), Service("echo"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            """));
        Assert.Empty(r.Snapshot.Listeners);
        Assert.Empty(r.Statuses);
    }

    [Fact]
    public void An_invalid_backend_makes_only_its_share_answer_500_and_says_why()
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - matches: [ { path: { value: /a } } ]
                backendRefs: [ { name: echo, port: 8080, weight: 3 }, { name: missing, port: 8080, weight: 1 } ]
              - matches: [ { path: { value: /b } } ]
                backendRefs: [ { group: example.com, kind: Bucket, name: b } ]
            """));
        Assert.False(r.HasErrors); // the rest keeps serving: a warning, not a rejected configuration
        Assert.Equal(["default/echo:8080x3,500x1", "500x1"], r.Port(80).Routes.Select(x => string.Join(",", x.Backends.Select(b => b.Status is { } s ? $"{s}x{b.Weight}" : $"{b.PoolId}x{b.Weight}"))));
        var parent = Assert.Single(r.RouteStatus().Parents);
        Assert.Equal(["Accepted=True/Accepted", "ResolvedRefs=False/BackendNotFound"], parent.Conditions.Brief());
        Assert.Contains("spec.rules[1].backendRefs[0]: Bucket.example.com is not a backend kind", parent.Conditions[1].Message);
    }

    [Fact]
    public void A_backend_in_another_namespace_needs_a_reference_grant_there()
    {
        string Docs(string grant) => string.Join("\n", Class, Service("echo", "backends"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules: [ { backendRefs: [ { name: echo, namespace: backends, port: 8080 } ] } ]
            """), grant);
        var denied = Compile(Docs(""));
        Assert.Equal(["ResolvedRefs=False/RefNotPermitted"], denied.RouteStatus().Parents[0].Conditions.Brief()[1..]);
        Assert.Equal([" Prefix / → 500x1"], denied.Port(80).Table());

        var granted = Compile(Docs("""
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: { name: routes-in, namespace: backends }
            spec:
              from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default } ]
              to: [ { group: "", kind: Service } ]
            """));
        Assert.Equal(["ResolvedRefs=True/ResolvedRefs"], granted.RouteStatus().Parents[0].Conditions.Brief()[1..]);
        Assert.Equal([" Prefix / → backends/echo:8080x1"], granted.Port(80).Table());
    }

    [Fact]
    public void Route_hostnames_are_intersected_with_the_listeners()
    {
        var r = Compile(Class, Service("echo"), Gateway("""
            - { name: wild, port: 80, protocol: HTTP, hostname: "*.example.com" }
            - { name: other, port: 8080, protocol: HTTP, hostname: "other.org" }
            """), Route("""
            parentRefs: [ { name: gw } ]
            hostnames: [ "foo.example.com", "*.bar.example.com", "*.com", "nope.net" ]
            rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            """));
        Assert.Equal(["foo.example.com Prefix / → default/echo:8080x1", "*.bar.example.com Prefix / → default/echo:8080x1", "*.example.com Prefix / → default/echo:8080x1"],
            r.Port(80).Table());
        // *.com also covers other.org? No: other.org is not below .com… it is: "other.org" does not end in ".com".
        Assert.Empty(r.Port(8080).Routes);
        Assert.Equal([1, 0], r.GatewayStatus().Listeners.Select(l => l.AttachedRoutes));
    }

    [Fact]
    public void A_route_sharing_no_hostname_with_any_listener_is_not_accepted()
    {
        var r = Compile(Class, Gateway("- { name: http, port: 80, protocol: HTTP, hostname: a.example.com }"), Route("""
            parentRefs: [ { name: gw } ]
            hostnames: [ b.example.com ]
            """));
        Assert.Equal("Accepted=False/NoMatchingListenerHostname", r.RouteStatus().Parents[0].Conditions.Brief()[0]);
        Assert.Equal(0, r.GatewayStatus().Listeners[0].AttachedRoutes);
    }

    [Theory]
    [InlineData("{ name: gw, sectionName: nope }", "Accepted=False/NoMatchingParent")]
    [InlineData("{ name: gw, port: 81 }", "Accepted=False/NoMatchingParent")]
    [InlineData("{ name: gw, sectionName: http, port: 8080 }", "Accepted=False/NoMatchingParent")]
    [InlineData("{ name: gw, sectionName: admin, port: 8080 }", "Accepted=True/Accepted")]
    public void SectionName_and_port_pick_the_listener(string parentRef, string accepted)
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80 + "\n- { name: admin, port: 8080, protocol: HTTP }"), Route($$"""
            parentRefs: [ {{parentRef}} ]
            rules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]
            """));
        Assert.Equal(accepted, r.RouteStatus().Parents[0].Conditions.Brief()[0]);
        Assert.Equal(accepted.Contains("True") ? [0, 1] : new[] { 0, 0 }, r.GatewayStatus().Listeners.Select(l => l.AttachedRoutes));
    }

    [Fact]
    public void AllowedRoutes_namespaces_same_by_default_all_or_by_selector()
    {
        var nsDocs = """
            ---
            apiVersion: v1
            kind: Namespace
            metadata: { name: team-a, labels: { shared-gateway: "yes" } }
            """;
        var r = Compile(Class, nsDocs, Service("echo", "team-a"), Service("echo", "team-b"), Gateway("""
            - { name: same, port: 80, protocol: HTTP }
            - name: selected
              port: 81
              protocol: HTTP
              allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { shared-gateway: "yes" } } } }
            - { name: all, port: 82, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
            """, ns: "infra"),
            Route("parentRefs: [ { name: gw, namespace: infra } ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]", "a", "team-a"),
            Route("parentRefs: [ { name: gw, namespace: infra, sectionName: same } ]", "b", "team-b"));
        Assert.Equal([0, 1, 1], r.GatewayStatus(ns: "infra").Listeners.Select(l => l.AttachedRoutes));
        Assert.Equal("Accepted=False/NotAllowedByListeners", r.RouteStatus("b", "team-b").Parents[0].Conditions.Brief()[0]);
    }

    [Fact]
    public void A_listener_kind_not_served_by_its_protocol_is_reported_and_the_route_kind_not_allowed()
    {
        var r = Compile(Class, Gateway("- { name: http, port: 80, protocol: HTTP, allowedRoutes: { kinds: [ { kind: TCPRoute }, { kind: HTTPRoute } ] } }"),
            Route("parentRefs: [ { name: gw } ]", kind: "GRPCRoute"));
        var listener = r.GatewayStatus().Listeners[0];
        Assert.Equal(["HTTPRoute"], listener.SupportedKinds.Select(k => k.Kind));
        Assert.Equal("ResolvedRefs=False/InvalidRouteKinds", listener.Conditions.Brief()[1]);
        Assert.Equal("Accepted=False/NotAllowedByListeners", r.RouteStatus(kind: "GRPCRoute").Parents[0].Conditions.Brief()[0]);
    }

    [Fact]
    public void Listeners_on_one_port_conflict_on_protocol_or_hostname_and_the_later_one_is_not_served()
    {
        var r = Compile(Class, Gateway("""
            - { name: a, port: 80, protocol: HTTP, hostname: a.example.com }
            - { name: b, port: 80, protocol: HTTP, hostname: a.example.com }
            - { name: c, port: 80, protocol: TCP }
            - { name: d, port: 80, protocol: HTTP }
            - { name: e, port: 81, protocol: FTP }
            """));
        var l = r.GatewayStatus().Listeners;
        Assert.Equal(["Conflicted=False/NoConflicts", "Conflicted=True/HostnameConflict", "Conflicted=True/ProtocolConflict", "Conflicted=False/NoConflicts", "Conflicted=False/NoConflicts"],
            l.Select(x => x.Conditions.Brief()[2]));
        Assert.Equal("Accepted=False/UnsupportedProtocol", l[4].Conditions.Brief()[0]);
        Assert.Equal(["Accepted=True/ListenersNotValid", "Programmed=True/Programmed"], r.GatewayStatus().Conditions.Brief());
        Assert.Equal([80], r.Snapshot.Listeners.Select(x => x.Port));
    }

    [Fact]
    public void Match_precedence_is_the_specs_across_routes_and_rules()
    {
        var rule = "{ name: echo, port: 8080 }";
        var r = Compile(Class, Service("echo"), Gateway(Http80),
            Route($$"""
                parentRefs: [ { name: gw } ]
                rules:
                  - { matches: [ { path: { type: PathPrefix, value: /a } } ], backendRefs: [ {{rule}} ] }
                  - { matches: [ { path: { type: PathPrefix, value: /a/b/ } } ], backendRefs: [ {{rule}} ] }
                  - { matches: [ { path: { type: Exact, value: /a } } ], backendRefs: [ {{rule}} ] }
                  - { matches: [ { path: { value: /a }, method: GET } ], backendRefs: [ {{rule}} ] }
                  - { matches: [ { path: { value: /a }, headers: [ { name: x, value: "1" }, { name: y, value: "2" } ] } ], backendRefs: [ {{rule}} ] }
                  - { matches: [ { path: { value: /a }, headers: [ { name: x, value: "1" } ], queryParams: [ { name: q, value: "1" } ] } ], backendRefs: [ {{rule}} ] }
                """, "z-older", extra: ", creationTimestamp: \"2026-01-01T00:00:00Z\""),
            Route($$"""
                parentRefs: [ { name: gw } ]
                rules: [ { matches: [ { path: { type: PathPrefix, value: /a } } ], backendRefs: [ {{rule}} ] } ]
                """, "a-newer", extra: ", creationTimestamp: \"2026-02-01T00:00:00Z\""));
        Assert.Equal([
            " Exact /a → default/echo:8080x1",
            " Prefix /a/b → default/echo:8080x1", // a trailing slash does not change a prefix
            " Prefix /a GET → default/echo:8080x1",
            " Prefix /a h:x h:y → default/echo:8080x1",
            " Prefix /a h:x q:q → default/echo:8080x1",
            " Prefix /a → default/echo:8080x1",
            " Prefix /a → default/echo:8080x1",
        ], r.Port(80).Table());
        Assert.Equal(["httproute:default/z-older/rules[0]", "httproute:default/a-newer/rules[0]"], r.Port(80).Routes[^2..].Select(x => x.Id));
    }

    [Fact]
    public void A_request_for_a_more_specific_listener_never_falls_through_to_a_wider_ones_routes()
    {
        var r = Compile(Class, Service("echo"), Gateway("""
            - { name: wild, port: 80, protocol: HTTP, hostname: "*.example.com" }
            - { name: foo, port: 80, protocol: HTTP, hostname: foo.example.com }
            """),
            Route("parentRefs: [ { name: gw, sectionName: wild } ]\nhostnames: [ foo.example.com, bar.example.com ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]", "wide"),
            Route("parentRefs: [ { name: gw, sectionName: wild } ]\nrules: [ { matches: [ { path: { value: /wild } } ], backendRefs: [ { name: echo, port: 8080 } ] } ]", "wild"),
            Route("parentRefs: [ { name: gw, sectionName: foo } ]\nrules: [ { matches: [ { path: { value: /only } } ], backendRefs: [ { name: echo, port: 8080 } ] } ]", "foo"));
        Assert.Equal([
            "foo.example.com Prefix /only → default/echo:8080x1",
            "bar.example.com Prefix / → default/echo:8080x1",  // the wide route keeps bar, gives foo up to the foo listener
            "foo.example.com Any  → 404x1",                   // foo.example.com/wild ends here, not on the wild route
            "*.example.com Prefix /wild → default/echo:8080x1",
        ], r.Port(80).Table());
    }

    [Fact]
    public void A_redirect_without_port_or_scheme_keeps_the_listeners_port_and_a_scheme_change_takes_its_well_known_port()
    {
        var r = Compile(Class, Gateway("- { name: http, port: 8080, protocol: HTTP }"), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - matches: [ { path: { value: /host } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { hostname: example.org } } ]
              - matches: [ { path: { value: /tls } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { scheme: https, statusCode: 301 } } ]
              - matches: [ { path: { value: /p } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /q } } } ]
            """));
        var redirects = r.Port(8080).Routes.Select(x => x.Redirect!).ToList();
        Assert.Equal([(8080, (string?)"example.org", 302), (443, null, 301), (8080, null, 302)], redirects.Select(x => (x.Port!.Value, x.Host, x.StatusCode)));
        Assert.Equal("/q", redirects[2].PathPrefix);
        Assert.All(r.Port(8080).Routes, x => Assert.Empty(x.Backends));
        Assert.Null(r.Port(8080).PublicPort); // standalone: clients use the listener's own port
    }

    [Fact]
    public void In_a_cluster_a_redirect_without_port_takes_the_port_clients_use_not_the_container_port()
    {
        // The ingress Service maps 80 → the pods' 8080: a Location naming :8080 would send clients past the Service.
        var yaml = string.Join("\n", Class, Gateway("- { name: http, port: 8080, protocol: HTTP }"), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - matches: [ { path: { value: /host } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { hostname: example.org } } ]
              - matches: [ { path: { value: /tls } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { scheme: https } } ]
              - matches: [ { path: { value: /own } } ]
                filters: [ { type: RequestRedirect, requestRedirect: { port: 8081 } } ]
            """));
        var r = Compilation.Yaml.Compile(yaml, new CompilerInput { PublicPorts = new Dictionary<int, int> { [8080] = 80 } }, loaderWarnings: true);

        Assert.Equal(80, r.Port(8080).PublicPort);
        Assert.Equal([("/host", 80), ("/own", 8081), ("/tls", 443)], r.Port(8080).Routes.Select(x => (x.Match.Path, x.Redirect!.Port!.Value)).Order());
    }

    [Fact]
    public void Filters_become_header_rules_rewrites_mirrors_and_per_backend_rules_and_weight_zero_gets_nothing()
    {
        var r = Compile(Class, Service("echo"), Service("shadow"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - filters:
                  - { type: RequestHeaderModifier, requestHeaderModifier: { add: [ { name: X-A, value: "1" } ], set: [ { name: X-S, value: s } ], remove: [ X-R ] } }
                  - { type: ResponseHeaderModifier, responseHeaderModifier: { add: [ { name: X-Out, value: o } ] } }
                  - { type: URLRewrite, urlRewrite: { hostname: internal.example, path: { type: ReplaceFullPath, replaceFullPath: /new } } }
                  - { type: RequestMirror, requestMirror: { backendRef: { name: shadow, port: 8080 }, fraction: { numerator: 1, denominator: 4 } } }
                backendRefs:
                  - { name: echo, port: 8080, filters: [ { type: RequestHeaderModifier, requestHeaderModifier: { set: [ { name: X-Backend, value: echo } ] } } ] }
                  - { name: shadow, port: 8080, weight: 0 }
                timeouts: { request: 10s, backendRequest: 2s }
            """));
        var route = Assert.Single(r.Port(80).Routes);
        Assert.Equal([KeyValuePair.Create("X-A", "1")], route.RequestHeaders!.Add.ToArray());
        Assert.Equal([KeyValuePair.Create("X-S", "s")], route.RequestHeaders.Set.ToArray());
        Assert.Equal(["X-R"], route.RequestHeaders.Remove.ToArray());
        Assert.Equal([KeyValuePair.Create("X-Out", "o")], route.ResponseHeaders!.Add.ToArray());
        Assert.Equal(("internal.example", "/new"), (route.Rewrite!.Host, route.Rewrite.Path));
        Assert.Equal([new MirrorSnapshot("default/shadow:8080", 1, 4)], route.Mirrors.ToArray());
        var backend = Assert.Single(route.Backends);
        Assert.Equal([KeyValuePair.Create("X-Backend", "echo")], backend.RequestHeaders!.Set.ToArray());
        Assert.Equal(TimeSpan.FromSeconds(2), route.Timeout);
    }

    [Fact]
    public void A_filter_ballast_does_not_implement_is_not_skipped_the_route_is_not_accepted()
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - filters: [ { type: ExtensionRef, extensionRef: { group: example.com, kind: Magic, name: m } } ]
                backendRefs: [ { name: echo, port: 8080 } ]
            """));
        Assert.Equal("Accepted=False/UnsupportedValue", r.RouteStatus().Parents[0].Conditions.Brief()[0]);
        Assert.Empty(r.Port(80).Routes);
        Assert.Contains(r.Diagnostics, d => d.Severity == Severity.Warning && d.Message.Contains("ExtensionRef"));
    }

    [Fact]
    public void A_native_policy_and_a_gateway_on_one_port_the_older_keeps_it_and_the_other_says_whose_it_is()
    {
        var policy = Compilation.Yaml.Pool("p") + "\n" + Compilation.Yaml.Policy("shop", """
            listeners: [ { name: http, port: 80 } ]
            routes: [ { backends: [ { pool: p } ] } ]
            """, metadataExtra: ", creationTimestamp: \"2026-01-01T00:00:00Z\"");
        var r = Compile(Class, Service("echo"), policy, Gateway(Http80, extra: ", creationTimestamp: \"2026-02-01T00:00:00Z\""),
            Route("parentRefs: [ { name: gw } ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]"));
        Assert.Equal("default/p", Assert.Single(r.Port(80).Routes).Backends[0].PoolId);
        var listener = r.GatewayStatus().Listeners[0];
        Assert.Equal("Accepted=False/PortUnavailable", listener.Conditions.Brief()[0]);
        Assert.Contains("port 80 belongs to LoadBalancerPolicy default/shop", listener.Conditions[0].Message);
        Assert.Equal(0, listener.AttachedRoutes);

        var younger = Compile(Class, Service("echo"), policy.Replace("2026-01-01", "2026-03-01"), Gateway(Http80, extra: ", creationTimestamp: \"2026-02-01T00:00:00Z\""),
            Route("parentRefs: [ { name: gw } ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]"));
        Assert.Equal("default/echo:8080", Assert.Single(younger.Port(80).Routes).Backends[0].PoolId);
        var accepted = younger.Statuses[new ResourceKey("LoadBalancerPolicy", "default", "shop")].Conditions[0];
        Assert.Equal(("False", "Conflicted"), (accepted.Status, accepted.Reason));
        Assert.Contains("port 80 belongs to Gateway default/gw spec.listeners[0].port", accepted.Message);
    }

    [Fact]
    public void A_backend_pool_targeting_a_service_gives_it_its_algorithm_and_health()
    {
        var pool = """
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: echo-settings }
            spec:
              targetRefs: [ { group: "", kind: Service, name: echo } ]
              loadBalancing: { algorithm: LeastConnections }
              healthCheck: { active: { http: { path: /healthz } } }
            """;
        var r = Compile(Class, Service("echo"), pool, Gateway(Http80), Route("parentRefs: [ { name: gw } ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]"));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var made = r.Snapshot.Pools.Single(p => p.Id == "default/echo:8080");
        Assert.Equal(LoadBalancingAlgorithm.LeastConnections, made.LoadBalancing.Algorithm);
        Assert.Equal("/healthz", made.ActiveHealth!.Path);
        Assert.Equal("10.0.0.1:9000", Assert.Single(made.Endpoints).Id);
    }

    [Fact]
    public void GrpcRoute_service_and_method_become_paths_on_a_grpc_pool()
    {
        var r = Compile(Class, Service("echo"), Gateway(Http80), Route("""
            parentRefs: [ { name: gw } ]
            rules:
              - matches: [ { method: { service: echo.Echo, method: Say } }, { method: { service: echo.Echo } }, { method: { type: RegularExpression, method: "S.*" } } ]
                backendRefs: [ { name: echo, port: 8080 } ]
            """, kind: "GRPCRoute"));
        Assert.Equal([" Exact /echo.Echo/Say → default/echo:8080/grpcx1", " Prefix /echo.Echo → default/echo:8080/grpcx1", " Regex /[^/]+/S.* → default/echo:8080/grpcx1"],
            r.Port(80).Table());
        Assert.Equal(PoolProtocol.GRPC, r.Snapshot.Pools.Single(p => p.Id == "default/echo:8080/grpc").Protocol);
    }

    [Fact]
    public void Tls_tcp_and_udp_routes_become_l4_routes_tls_by_sni()
    {
        var svc = Service("echo").Replace("[ { name: http, port: 8080 } ]", "[ { name: http, port: 8080 }, { name: dns, port: 53, protocol: UDP } ]");
        var r = Compile(Class, svc, Gateway("""
            - { name: tls, port: 443, protocol: TLS, hostname: "*.example.com", tls: { mode: Passthrough } }
            - { name: tcp, port: 5432, protocol: TCP }
            - { name: udp, port: 53, protocol: UDP }
            """),
            Route("parentRefs: [ { name: gw } ]\nhostnames: [ db.example.com ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]", "t", kind: "TLSRoute").Replace("/v1\n", "/v1alpha2\n"),
            Route("parentRefs: [ { name: gw, sectionName: tcp } ]\nrules: [ { backendRefs: [ { name: echo, port: 8080 } ] } ]", "c", kind: "TCPRoute").Replace("/v1\n", "/v1alpha2\n"),
            Route("parentRefs: [ { name: gw } ]\nrules: [ { backendRefs: [ { name: echo, port: 53 } ] } ]", "u", kind: "UDPRoute").Replace("/v1\n", "/v1alpha2\n"));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var tls = Assert.Single(r.Port(443).L4Routes);
        Assert.Equal(["db.example.com"], tls.Hostnames.ToArray());
        Assert.Equal(ListenerKind.TlsPassthrough, r.Port(443).Kind);
        Assert.Equal("default/echo:8080/tcp", Assert.Single(r.Port(5432).L4Routes).Backends[0].PoolId);
        Assert.Equal("default/echo:53/udp", Assert.Single(r.Port(53).L4Routes).Backends[0].PoolId);
        Assert.Equal([1, 1, 1], r.GatewayStatus().Listeners.Select(l => l.AttachedRoutes));
    }
}
