using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation;

/// <summary>The order of docs/routing.md: the data plane takes the first route that matches.</summary>
public class RoutePrecedenceTests
{
    private static string[] Order(string routes, string extraPolicies = "")
    {
        var r = Compile(Pool("a") + Policy("p", "listeners: [ { name: web, port: 80 } ]\nroutes:\n" + routes) + extraPolicies);
        Assert.Empty(r.Diagnostics);
        return [.. r.Snapshot.Listeners.Single().Routes.Select(x => x.Id["default/p/".Length..])];
    }

    [Fact]
    public void Exact_host_before_longer_wildcard_before_shorter_wildcard_before_any_host()
    {
        Assert.Equal(["exact", "long", "short", "any"], Order("""
            - { name: any, backends: [ { pool: a } ] }
            - { name: short, match: { hosts: [ "*.com" ] }, backends: [ { pool: a } ] }
            - { name: long, match: { hosts: [ "*.shop.com" ] }, backends: [ { pool: a } ] }
            - { name: exact, match: { hosts: [ a.shop.com ] }, backends: [ { pool: a } ] }
            """));
    }

    [Fact]
    public void Host_beats_path_and_exact_path_beats_prefix_beats_regex_beats_any()
    {
        Assert.Equal(["host", "exact", "long-prefix", "prefix", "long-regex", "regex", "any"], Order("""
            - { name: any, backends: [ { pool: a } ] }
            - { name: regex, match: { pathRegex: "^/a" }, backends: [ { pool: a } ] }
            - { name: long-regex, match: { pathRegex: "^/a/b.*" }, backends: [ { pool: a } ] }
            - { name: prefix, match: { pathPrefix: /a }, backends: [ { pool: a } ] }
            - { name: long-prefix, match: { pathPrefix: /a/b }, backends: [ { pool: a } ] }
            - { name: exact, match: { path: /a }, backends: [ { pool: a } ] }
            - { name: host, match: { hosts: [ x.com ] }, backends: [ { pool: a } ] }
            """));
    }

    [Fact]
    public void Then_methods_then_more_headers_then_more_query_then_route_order()
    {
        Assert.Equal(["methods", "two-headers", "one-header", "query", "first", "second"], Order("""
            - { name: first, match: { pathPrefix: /x }, backends: [ { pool: a } ] }
            - { name: query, match: { pathPrefix: /x, query: [ { name: q } ] }, backends: [ { pool: a } ] }
            - { name: one-header, match: { pathPrefix: /x, headers: [ { name: A }, ], query: [ { name: q } ] }, backends: [ { pool: a } ] }
            - { name: two-headers, match: { pathPrefix: /x, headers: [ { name: A }, { name: B } ] }, backends: [ { pool: a } ] }
            - { name: methods, match: { pathPrefix: /x, methods: [ GET ] }, backends: [ { pool: a } ] }
            - { name: second, match: { pathPrefix: /y }, backends: [ { pool: a } ] }
            """));
    }

    [Fact]
    public void Ties_across_policies_keep_resource_order()
    {
        var r = Compile(Pool("a")
            + Policy("new", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { match: { pathPrefix: /b }, backends: [ { pool: a } ] } ]", metadataExtra: ", creationTimestamp: \"2025-01-01T00:00:00Z\"")
            + Policy("old", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { match: { pathPrefix: /a }, backends: [ { pool: a } ] } ]", metadataExtra: ", creationTimestamp: \"2024-01-01T00:00:00Z\""));
        Assert.Equal(["default/old/routes[0]", "default/new/routes[0]"], r.Snapshot.Listeners.Single().Routes.Select(x => x.Id));
    }

    [Fact]
    public void A_route_with_hosts_of_different_specificity_is_placed_once_per_specificity()
    {
        Assert.Equal(["mixed", "wild", "mixed", "any"], Order("""
            - { name: any, backends: [ { pool: a } ] }
            - { name: wild, match: { hosts: [ "*.b.shop.com" ] }, backends: [ { pool: a } ] }
            - { name: mixed, match: { hosts: [ a.com, "*.shop.com" ] }, backends: [ { pool: a } ] }
            """));
    }
}
