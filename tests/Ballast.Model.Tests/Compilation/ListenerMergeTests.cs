using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation;

public class ListenerMergeTests
{
    private static ResourceKey PolicyKey(string name) => new(LoadBalancerPolicy.KindName, "default", name);

    [Fact]
    public void Two_http_policies_on_one_port_share_one_listener()
    {
        var r = Compile(Pool("a") + Pool("b")
            + Policy("one", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { match: { pathPrefix: /a }, backends: [ { pool: a } ] } ]")
            + Policy("two", "listeners: [ { name: other, port: 80 } ]\nroutes: [ { match: { pathPrefix: /bb }, backends: [ { pool: b } ] } ]"));
        Assert.Empty(r.Diagnostics);
        var listener = Assert.Single(r.Snapshot.Listeners);
        Assert.Equal("web", listener.Name); // the earlier policy's listener names the merged one
        Assert.Equal(["default/two/routes[0]", "default/one/routes[0]"], listener.Routes.Select(x => x.Id)); // longer prefix first
    }

    [Fact]
    public void A_port_shared_by_different_protocols_is_a_conflict_on_the_later_policy()
    {
        var r = Compile(Pool("a") + Pool("t", "protocol: TCP")
            + Policy("zz-old", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { backends: [ { pool: a } ] } ]", metadataExtra: ", creationTimestamp: \"2024-01-01T00:00:00Z\"")
            + Policy("aa-new", "listeners: [ { name: raw, port: 80, protocol: TCP }, { name: ok, port: 81 } ]\ntcpRoutes: [ { listener: raw, backends: [ { pool: t } ] } ]\nroutes: [ { backends: [ { pool: a } ] } ]",
                metadataExtra: ", creationTimestamp: \"2025-01-01T00:00:00Z\""));
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(PolicyKey("aa-new"), d.Resource);
        Assert.Equal("spec.listeners[0].port: port 80 is already used by LoadBalancerPolicy default/zz-old spec.listeners[0] (HTTP); only HTTP or HTTPS listeners of the same protocol share a port",
            $"{d.FieldPath}: {d.Message}");
        Assert.Equal([(80, Snapshots.ListenerKind.Http), (81, Snapshots.ListenerKind.Http)], r.Snapshot.Listeners.Select(l => (l.Port, l.Kind)));
        var accepted = r.Statuses[PolicyKey("aa-new")].Conditions.Single(c => c.Type == ConditionTypes.Accepted);
        Assert.Equal((ConditionStatus.False, "Conflicted"), (accepted.Status, accepted.Reason));
        Assert.Equal(ConditionStatus.True, r.Statuses[PolicyKey("zz-old")].Conditions.Single(c => c.Type == ConditionTypes.Accepted).Status);
    }

    [Fact]
    public void Without_timestamps_namespace_and_name_decide_which_is_earlier()
    {
        var r = Compile(Pool("t", "protocol: TCP") + Pool("a")
            + Policy("b", "listeners: [ { name: raw, port: 80, protocol: TCP } ]\ntcpRoutes: [ { listener: raw, backends: [ { pool: t } ] } ]")
            + Policy("a", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { backends: [ { pool: a } ] } ]"));
        Assert.Equal(PolicyKey("b"), Assert.Single(r.Diagnostics).Resource);
    }

    [Fact]
    public void An_identical_match_on_one_listener_is_a_conflict_on_the_later_route()
    {
        var r = Compile(Pool("a") + Pool("b")
            + Policy("one", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { match: { hosts: [ x.com, y.com ], pathPrefix: /api, methods: [ GET ] }, backends: [ { pool: a } ] } ]")
            + Policy("two", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { match: { path: /other }, backends: [ { pool: b } ] }, { match: { hosts: [ Y.com, x.com ], pathPrefix: /api, methods: [ GET ] }, backends: [ { pool: b } ] } ]"));
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(PolicyKey("two"), d.Resource);
        Assert.Equal("spec.routes[1].match: the same match as LoadBalancerPolicy default/one spec.routes[0] on port 80; this route is ignored there", $"{d.FieldPath}: {d.Message}");
        Assert.Equal(["default/one/routes[0]", "default/two/routes[0]"], r.Snapshot.Listeners.Single().Routes.Select(x => x.Id));
    }

    [Fact]
    public void Https_and_http_on_one_port_conflict()
    {
        var r = Compile(Pool("a")
            + Policy("a1", "listeners: [ { name: web, port: 443 } ]\nroutes: [ { backends: [ { pool: a } ] } ]")
            + Policy("a2", "listeners: [ { name: tls, port: 443, protocol: HTTPS, tls: { acme: { directory: \"https://acme.test/dir\" } } } ]\nroutes: [ { backends: [ { pool: a } ] } ]"));
        HasError(r, "spec.listeners[0].port: port 443 is already used by LoadBalancerPolicy default/a1");
    }
}

public class ListenerHostnameTests
{
    [Fact]
    public void Routes_without_hosts_take_the_listener_hostnames()
    {
        var r = Compile(Pool("a") + Policy("p", """
            listeners: [ { name: web, port: 80, hostnames: [ Shop.Example.com ] } ]
            routes:
              - { name: plain, backends: [ { pool: a } ] }
              - { name: own, match: { hosts: [ other.com ] }, backends: [ { pool: a } ] }
            """));
        Assert.Empty(r.Diagnostics);
        var routes = r.Snapshot.Listeners.Single().Routes;
        Assert.Equal(["shop.example.com"], routes.Single(x => x.Id.EndsWith("plain")).Match.Hosts.ToArray());
        Assert.Equal(["other.com"], routes.Single(x => x.Id.EndsWith("own")).Match.Hosts.ToArray());
    }
}
