using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public class PolicyRulesTests
{
    private static readonly ResourceKey Key = new(LoadBalancerPolicy.KindName, "default", "p");

    private const string Listener = "listeners: [ { name: http, port: 8080 } ]\n";

    private static CompileResult CompileRoute(string route, string pools = "") =>
        Compile(Pool("a") + Pool("b") + pools + Policy("p", Listener + "routes:\n" + route));

    [Theory]
    [InlineData("- { match: { path: api }, backends: [ { pool: a } ] }", "spec.routes[0].match.path: must start with \"/\", got \"api\"")]
    [InlineData("- { match: { pathPrefix: api }, backends: [ { pool: a } ] }", "spec.routes[0].match.pathPrefix: must start with \"/\"")]
    [InlineData("- { match: { path: /a, pathPrefix: /b }, backends: [ { pool: a } ] }", "spec.routes[0].match: at most one of path, pathPrefix, pathRegex")]
    [InlineData("- { match: { pathRegex: \"(a\" }, backends: [ { pool: a } ] }", "spec.routes[0].match.pathRegex: invalid regular expression")]
    [InlineData("- { match: { pathRegex: \"^/(a)\\\\1$\" }, backends: [ { pool: a } ] }", "spec.routes[0].match.pathRegex: invalid regular expression")]
    [InlineData("- { match: { headers: [ { name: X-A, regex: \"(?=x)\" } ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.headers[0].regex: invalid regular expression")]
    [InlineData("- { match: { query: [ { name: q, regex: \"[\" } ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.query[0].regex: invalid regular expression")]
    [InlineData("- { match: { headers: [ { name: \"X A\", value: v } ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.headers[0].name: \"X A\" is not a valid header name")]
    [InlineData("- { match: { hosts: [ ok.example.com, \"bad_host.example\" ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.hosts[1]: \"bad_host.example\" is not a valid host name")]
    [InlineData("- { match: { hosts: [ \"a.*.example.com\" ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.hosts[0]: \"a.*.example.com\" is not a valid host name")]
    [InlineData("- { match: { methods: [ GET, \"PO ST\" ] }, backends: [ { pool: a } ] }", "spec.routes[0].match.methods[1]: \"PO ST\" is not a valid HTTP method")]
    [InlineData("- { backends: [] }", "spec.routes[0].backends: at least one backend is required")]
    [InlineData("- { backends: [ { pool: a, weight: 1001 } ] }", "spec.routes[0].backends[0].weight: must be between 0 and 1000, got 1001")]
    [InlineData("- { backends: [ { pool: a, weight: -1 } ] }", "spec.routes[0].backends[0].weight: must be between 0 and 1000, got -1")]
    [InlineData("- { backends: [ { pool: a, weight: 0 }, { pool: b, weight: 0 } ] }", "spec.routes[0].backends: the backend weights add up to 0")]
    [InlineData("- { backends: [ { pool: a } ], canary: { pool: b } }", "spec.routes[0].canary: one of header or cookie is required")]
    [InlineData("- { backends: [ { pool: a } ], retries: { attempts: 11 } }", "spec.routes[0].retries.attempts: must be between 0 and 10, got 11")]
    [InlineData("- { backends: [ { pool: a } ], retries: { attempts: -1 } }", "spec.routes[0].retries.attempts: must be between 0 and 10, got -1")]
    [InlineData("- { backends: [ { pool: a } ], retries: { on: [ reset, \"500\" ] } }", "spec.routes[0].retries.on[1]: expected one of connect-failure, reset, timeout, 502, 503, 504, got \"500\"")]
    [InlineData("- { backends: [ { pool: a } ], retries: { perTryTimeout: 0s } }", "spec.routes[0].retries.perTryTimeout: must be longer than 0")]
    [InlineData("- { backends: [ { pool: a } ], timeout: 0s }", "spec.routes[0].timeout: must be longer than 0")]
    [InlineData("- { backends: [ { pool: a } ], requestHeaders: { set: { X-A: \"a\\r\\nSet-Cookie: x\" } } }", "spec.routes[0].requestHeaders.set.X-A: header values must not contain line breaks")]
    [InlineData("- { backends: [ { pool: a } ], listeners: [ nope ] }", "spec.routes[0].listeners[0]: no listener named \"nope\" in this policy (listeners: \"http\")")]
    [InlineData("- { name: x, backends: [ { pool: a } ] }\n- { name: x, match: { path: /x }, backends: [ { pool: a } ] }", "spec.routes[1].name: \"x\" is already the name of spec.routes[0]")]
    public void Route_rules_name_the_field(string routes, string expected)
    {
        var r = CompileRoute(routes);
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners); // an invalid policy is left out
        var accepted = r.Statuses[Key].Conditions.Single(c => c.Type == ConditionTypes.Accepted);
        Assert.Equal((ConditionStatus.False, "Invalid"), (accepted.Status, accepted.Reason));
    }

    [Theory]
    [InlineData("listeners: [ { name: a, port: 80 }, { name: b, port: 80 } ]", "spec.listeners[1].port: duplicate port 80 (also spec.listeners[0])")]
    [InlineData("listeners: [ { name: a, port: 80 }, { name: a, port: 81 } ]", "spec.listeners[1].name: duplicate listener name \"a\" (also spec.listeners[0])")]
    [InlineData("listeners: [ { name: a, port: 0 } ]", "spec.listeners[0].port: must be between 1 and 65535, got 0")]
    [InlineData("listeners: [ { name: a, port: 65536 } ]", "spec.listeners[0].port: must be between 1 and 65535, got 65536")]
    [InlineData("listeners: [ { name: a, port: 80, address: \"localhost\" } ]", "spec.listeners[0].address: \"localhost\" is not an IP address")]
    [InlineData("listeners: [ { name: a, port: 443, protocol: HTTPS } ]", "spec.listeners[0].tls: an HTTPS listener needs tls.certificates or tls.acme")]
    [InlineData("listeners: [ { name: a, port: 80, tls: { acme: { directory: \"https://x/dir\" } } } ]", "spec.listeners[0].tls: only HTTPS and TLS listeners take tls")]
    [InlineData("listeners: [ { name: a, port: 443, protocol: TLS, tls: { mode: Terminate } } ]", "spec.listeners[0].tls.mode: TLS listeners pass TLS through by SNI")]
    [InlineData("listeners: [ { name: a, port: 80, hostnames: [ \"-x.com\" ] } ]", "spec.listeners[0].hostnames[0]: \"-x.com\" is not a valid host name")]
    [InlineData("listeners: []", "spec.listeners: at least one listener is required")]
    [InlineData("listeners: [ { name: db, port: 5432, protocol: TCP } ]\nroutes: [ { backends: [ { pool: a } ], listeners: [ db ] } ]", "spec.routes[0].listeners[0]: listener \"db\" is TCP: HTTP routes attach only to HTTP and HTTPS listeners")]
    [InlineData("listeners: [ { name: http, port: 80 } ]\ntcpRoutes: [ { listener: http, backends: [ { pool: t } ] } ]", "spec.tcpRoutes[0].listener: listener \"http\" is HTTP: tcpRoutes attach only to TCP, UDP and TLS listeners")]
    [InlineData("listeners: [ { name: db, port: 5432, protocol: TCP } ]\ntcpRoutes: [ { listener: db, backends: [ { pool: t } ] }, { listener: db, backends: [ { pool: t } ] } ]", "spec.tcpRoutes[1]: listener \"db\" already has a route without hostnames (spec.tcpRoutes[0])")]
    [InlineData("listeners: [ { name: db, port: 5432, protocol: TCP } ]\ntcpRoutes: [ { listener: db, hostnames: [ a.com ], backends: [ { pool: t } ] } ]", "spec.tcpRoutes[0].hostnames: only TLS listeners route by SNI")]
    public void Listener_rules_name_the_field(string spec, string expected)
    {
        var r = Compile(Pool("a") + Pool("t", "protocol: TCP") + Policy("p", spec));
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners);
    }

    [Fact]
    public void A_route_without_retries_retries_connect_failures_and_resets_once_and_attempts_0_turns_that_off()
    {
        var routes = CompileRoute("""
            - { match: { path: /default }, backends: [ { pool: a } ] }
            - { match: { path: /off }, backends: [ { pool: a } ], retries: { attempts: 0 } }
            - { match: { path: /moved }, redirect: { host: example.com } }
            """).Snapshot.Listeners.Single().Routes;
        var byPath = routes.ToDictionary(r => r.Match.Path);
        Assert.Equal(new RetrySnapshot { Attempts = 1, On = RetryOn.ConnectFailure | RetryOn.Reset, BudgetPercent = 20 }, byPath["/default"].Retries);
        Assert.Equal(0, byPath["/off"].Retries!.Attempts);
        Assert.Null(byPath["/moved"].Retries); // a redirect never forwards
    }

    [Fact]
    public void Retries_stop_after_15_s_unless_the_route_gives_its_tries_longer_or_says_otherwise()
    {
        var routes = CompileRoute("""
            - { match: { path: /default }, backends: [ { pool: a } ] }
            - { match: { path: /written }, backends: [ { pool: a } ], retries: { attempts: 2 } }
            - { match: { path: /short-tries }, backends: [ { pool: a } ], retries: { attempts: 2, perTryTimeout: 2s } }
            - { match: { path: /long-tries }, backends: [ { pool: a } ], retries: { attempts: 2, perTryTimeout: 10s } }
            - { match: { path: /set }, backends: [ { pool: a } ], retries: { attempts: 2, perTryTimeout: 10s, totalTimeout: 3s } }
            - { match: { path: /unbounded }, backends: [ { pool: a } ], retries: { totalTimeout: 0s } }
            """).Snapshot.Listeners.Single().Routes;
        var total = routes.ToDictionary(r => r.Match.Path!, r => r.Retries!.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), total["/default"]);
        Assert.Equal(TimeSpan.FromSeconds(15), total["/written"]);
        Assert.Equal(TimeSpan.FromSeconds(15), total["/short-tries"]); // 3 x 2 s fit
        Assert.Equal(TimeSpan.FromSeconds(30), total["/long-tries"]); // every one of the three 10 s tries
        Assert.Equal(TimeSpan.FromSeconds(3), total["/set"]);
        Assert.Equal(TimeSpan.Zero, total["/unbounded"]);
    }

    [Fact]
    public void A_missing_pool_drops_only_that_route_with_ResolvedRefs_false()
    {
        var r = CompileRoute("""
            - { match: { path: /ok }, backends: [ { pool: a } ] }
            - { match: { path: /x }, backends: [ { pool: a } ] }
            - { match: { path: /y }, backends: [ { pool: a }, { pool: x } ] }
            """);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("spec.routes[2].backends[1].pool: BackendPool \"x\" not found in namespace \"default\"", $"{d.FieldPath}: {d.Message}");
        Assert.Equal(["/ok", "/x"], r.Snapshot.Listeners.Single().Routes.Select(x => x.Match.Path));
        var status = r.Statuses[Key];
        Assert.Equal(ConditionStatus.True, status.Conditions.Single(c => c.Type == ConditionTypes.Accepted).Status);
        var resolved = status.Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs);
        Assert.Equal((ConditionStatus.False, "PoolNotFound"), (resolved.Status, resolved.Reason));
        Assert.Equal("spec.routes[2].backends[1].pool: BackendPool \"x\" not found in namespace \"default\"", resolved.Message);
    }

    [Fact]
    public void A_route_to_an_invalid_pool_is_dropped()
    {
        var r = Compile(Pool("bad", "panicThreshold: 200") + Pool("a") + Policy("p", Listener + "routes: [ { backends: [ { pool: bad } ] } ]"));
        HasError(r, "spec.routes[0].backends[0].pool: refers to invalid BackendPool \"bad\" in namespace \"default\"");
        Assert.Empty(r.Snapshot.Listeners.Single().Routes);
        Assert.Equal("PoolInvalid", r.Statuses[Key].Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs).Reason);
    }

    [Fact]
    public void A_missing_canary_pool_is_an_unresolved_reference()
    {
        var r = CompileRoute("- { backends: [ { pool: a } ], canary: { pool: nope, header: { name: X-Canary, value: always } } }");
        HasError(r, "spec.routes[0].canary.pool: BackendPool \"nope\" not found in namespace \"default\"");
        Assert.Empty(r.Snapshot.Listeners.Single().Routes);
    }

    [Fact]
    public void Pool_protocols_must_fit_the_route_kind()
    {
        var r = Compile(Pool("t", "protocol: TCP") + Pool("h") + Policy("p", """
            listeners: [ { name: http, port: 80 }, { name: db, port: 5432, protocol: TCP } ]
            routes: [ { backends: [ { pool: t } ] } ]
            tcpRoutes: [ { listener: db, backends: [ { pool: h } ] } ]
            """));
        HasError(r, "spec.routes[0].backends[0].pool: BackendPool \"t\" speaks TCP: only tcpRoutes may use TCP and UDP pools");
        HasError(r, "spec.tcpRoutes[0].backends[0].pool: BackendPool \"h\" speaks HTTP1: tcpRoutes need a TCP or UDP pool");
    }

    [Fact]
    public void Hosts_are_lower_cased_methods_kept_as_written_and_ids_named()
    {
        var r = CompileRoute("""
            - { name: api, match: { hosts: [ Shop.Example.COM ], methods: [ get, Post ] }, backends: [ { pool: a } ] }
            - { match: { hosts: [ "*.Example.com" ] }, backends: [ { pool: a } ] }
            """);
        Assert.Empty(r.Diagnostics);
        var routes = r.Snapshot.Listeners.Single().Routes;
        Assert.Equal(["default/p/api", "default/p/routes[1]"], routes.Select(x => x.Id));
        Assert.Equal(["shop.example.com"], routes[0].Match.Hosts.ToArray());
        Assert.Equal(["get", "Post"], routes[0].Match.Methods.ToArray()); // methods are case-sensitive (RFC 9110)
        Assert.Equal(["*.example.com"], routes[1].Match.Hosts.ToArray());
    }

    [Fact]
    public void Tcp_routes_compile_onto_L4_listeners()
    {
        var r = Compile(Pool("pg", "protocol: TCP") + Policy("p", """
            listeners: [ { name: db, port: 5432, protocol: TCP }, { name: tls, port: 8443, protocol: TLS } ]
            tcpRoutes:
              - { listener: db, backends: [ { pool: pg } ] }
              - { listener: tls, hostnames: [ DB.example.com ], backends: [ { pool: pg } ] }
            """));
        Assert.Empty(r.Diagnostics);
        Assert.Equal([(5432, Snapshots.ListenerKind.Tcp), (8443, Snapshots.ListenerKind.TlsPassthrough)], r.Snapshot.Listeners.Select(l => (l.Port, l.Kind)));
        Assert.Equal(["db.example.com"], r.Snapshot.Listeners[1].L4Routes.Single().Hostnames.ToArray());
        Assert.Equal("default/p/tcpRoutes[0]", r.Snapshot.Listeners[0].L4Routes.Single().Id);
    }

    [Fact]
    public void Status_carries_the_generation_and_the_split()
    {
        var r = Compile(Pool("a") + Pool("b") + Policy("p", Listener + "routes: [ { name: r, backends: [ { pool: a, weight: 3 }, { pool: b, weight: 1 } ] } ]", metadataExtra: ", generation: 4"));
        var status = r.Statuses[Key];
        Assert.Equal(4, status.ObservedGeneration);
        Assert.All(status.Conditions, c => Assert.Equal(4, c.ObservedGeneration));
        Assert.Equal("a=75,b=25", status.Splits.Single().Split);
        Assert.Equal(4, r.Snapshot.Generations["LoadBalancerPolicy default/p"]);
    }

    [Fact]
    public void A_resource_defined_twice_is_an_error_on_the_second()
    {
        var r = Compile(Pool("a") + Pool("a") + Policy("p", Listener + "routes: [ { backends: [ { pool: a } ] } ]"));
        HasError(r, "metadata.name: BackendPool default/a is defined twice (first at test.yaml:2:1); this one is ignored");
        Assert.Single(r.Snapshot.Pools);
    }
}
