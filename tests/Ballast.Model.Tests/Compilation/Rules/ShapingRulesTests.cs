using Ballast.Model.Compilation;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public class ShapingRulesTests
{
    private const string Listener = "listeners: [ { name: http, port: 8080 } ]\n";

    private static CompileResult CompileRoute(string route) =>
        Compile(Pool("a") + Policy("p", Listener + "routes:\n" + route));

    [Theory]
    [InlineData("backends: [ { pool: a } ], rewrite: { }", "spec.routes[0].rewrite: one of host, path, pathPrefix or pathRegex is required")]
    [InlineData("backends: [ { pool: a } ], rewrite: { host: \"bad host\" }", "spec.routes[0].rewrite.host: \"bad host\" is not a valid host name")]
    [InlineData("backends: [ { pool: a } ], rewrite: { path: v2 }", "spec.routes[0].rewrite.path: must start with \"/\", got \"v2\"")]
    [InlineData("match: { pathPrefix: /api }, backends: [ { pool: a } ], rewrite: { path: /v2, pathPrefix: /v3 }", "spec.routes[0].rewrite: at most one of path, pathPrefix, pathRegex")]
    [InlineData("backends: [ { pool: a } ], rewrite: { pathPrefix: /v2 }", "spec.routes[0].rewrite.pathPrefix: replaces the matched prefix: the route needs match.pathPrefix")]
    [InlineData("match: { pathPrefix: /api }, backends: [ { pool: a } ], rewrite: { pathPrefix: v2 }", "spec.routes[0].rewrite.pathPrefix: must start with \"/\", got \"v2\"")]
    [InlineData("match: { pathPrefix: /api }, backends: [ { pool: a } ], rewrite: { pathPrefix: /v2, pathRegex: { pattern: a, substitution: b } }", "spec.routes[0].rewrite: at most one of path, pathPrefix, pathRegex")]
    [InlineData("backends: [ { pool: a } ], rewrite: { pathRegex: { pattern: \"(unclosed\", substitution: /x } }", "spec.routes[0].rewrite.pathRegex.pattern: invalid regular expression")]
    [InlineData("backends: [ { pool: a } ], rewrite: { pathRegex: { pattern: \"^/(a)\\\\1\", substitution: /x } }", "spec.routes[0].rewrite.pathRegex.pattern: invalid regular expression")]
    [InlineData("backends: [ { pool: a } ], rewrite: { pathRegex: { pattern: a, substitution: \"/x?y=1\" } }", "spec.routes[0].rewrite.pathRegex.substitution: must be printable ASCII without spaces, '?' or '#'")]
    [InlineData("redirect: { statusCode: 200 }", "spec.routes[0].redirect.statusCode: expected one of 301, 302, 303, 307, 308, got 200")]
    [InlineData("redirect: { scheme: ftp }", "spec.routes[0].redirect.scheme: expected http or https, got \"ftp\"")]
    [InlineData("redirect: { port: 70000 }", "spec.routes[0].redirect.port: must be between 1 and 65535, got 70000")]
    [InlineData("redirect: { path: /a, pathPrefix: /b }", "spec.routes[0].redirect: at most one of path, pathPrefix")]
    [InlineData("redirect: { pathPrefix: /b }", "spec.routes[0].redirect.pathPrefix: replaces the matched prefix: the route needs match.pathPrefix")]
    [InlineData("redirect: { path: \"/a b\" }", "spec.routes[0].redirect.path: must be printable ASCII without spaces")]
    [InlineData("redirect: { scheme: https }, backends: [ { pool: a } ]", "spec.routes[0].backends: a route with a redirect answers by itself")]
    [InlineData("backends: [ { pool: a } ], maxRequestBodyBytes: -1", "spec.routes[0].maxRequestBodyBytes: must be between 0 and")]
    [InlineData("backends: [ { pool: a } ], idleTimeout: 0s", "spec.routes[0].idleTimeout: must be longer than 0, got 0s")]
    public void Shaping_errors_name_the_field(string route, string expected)
    {
        var r = CompileRoute($"- {{ {route} }}");
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners);
    }

    [Fact]
    public void A_header_prefix_that_is_not_a_header_name_is_refused_and_TCP_listeners_take_none()
    {
        var http = Compile(Pool("a") + Policy("p",
            "listeners: [ { name: http, port: 8080, stripRequestHeaderPrefixes: [ X-Internal-, \"X Bad\" ] } ]\nroutes: [ { backends: [ { pool: a } ] } ]\n"));
        HasError(http, "spec.listeners[0].stripRequestHeaderPrefixes[1]: \"X Bad\" is not the start of a header name");
        var tcp = Compile(Pool("t", "protocol: TCP\n") + Policy("p",
            "listeners: [ { name: db, port: 5432, protocol: TCP, stripRequestHeaderPrefixes: [ X-Internal- ] } ]\ntcpRoutes: [ { listener: db, backends: [ { pool: t } ] } ]\n"));
        HasError(tcp, "spec.listeners[0].stripRequestHeaderPrefixes: only HTTP and HTTPS listeners take stripRequestHeaderPrefixes (this one is Tcp)");
    }

    [Fact]
    public void Shaping_compiles_into_the_snapshot_and_a_redirect_route_needs_no_backends()
    {
        var r = Compile(Pool("a") + Policy("p",
            "listeners: [ { name: http, port: 8080, stripRequestHeaderPrefixes: [ X-Internal- ] } ]\nroutes:\n" +
            "- { name: api, match: { pathPrefix: /api }, backends: [ { pool: a } ], timeout: 30s, idleTimeout: 5s, maxRequestBodyBytes: 1024,\n" +
            "    rewrite: { host: Internal.Example, pathPrefix: /v2 } }\n" +
            "- { name: users, match: { pathPrefix: /users }, backends: [ { pool: a } ], rewrite: { pathRegex: { pattern: \"^/users/([0-9]+)$\", substitution: \"/u/$1\" } } }\n" +
            "- { name: old, match: { pathPrefix: /old }, redirect: { scheme: https, host: new.example.com, pathPrefix: /new, statusCode: 301 } }\n"));
        Assert.Empty(r.Diagnostics);
        var listener = r.Snapshot.Listeners.Single();
        Assert.Equal(["X-Internal-"], listener.StripRequestHeaderPrefixes.ToArray());
        var api = listener.Routes.Single(x => x.Id.EndsWith("/api"));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 1024L), (api.Timeout, api.IdleTimeout, api.MaxRequestBodyBytes));
        Assert.Equal(("internal.example", "/v2"), (api.Rewrite!.Host, api.Rewrite.PathPrefix));
        var users = listener.Routes.Single(x => x.Id.EndsWith("/users"));
        Assert.Equal(("^/users/([0-9]+)$", "/u/$1"), (users.Rewrite!.PathRegex, users.Rewrite.PathSubstitution));
        var old = listener.Routes.Single(x => x.Id.EndsWith("/old"));
        Assert.Empty(old.Backends);
        Assert.Equal(("https", "new.example.com", "/new", 301), (old.Redirect!.Scheme, old.Redirect.Host, old.Redirect.PathPrefix, old.Redirect.StatusCode));
    }

    [Fact]
    public void A_redirect_defaults_to_302()
    {
        var r = CompileRoute("- { redirect: { scheme: https } }");
        Assert.Empty(r.Diagnostics);
        Assert.Equal(302, r.Snapshot.Listeners.Single().Routes.Single().Redirect!.StatusCode);
    }

    [Fact]
    public void A_full_path_rewrite_compiles_into_the_snapshot()
    {
        var r = CompileRoute("- { backends: [ { pool: a } ], rewrite: { path: /v2/status } }");
        Assert.Empty(r.Diagnostics);
        Assert.Equal("/v2/status", r.Snapshot.Listeners.Single().Routes.Single().Rewrite!.Path);
    }

    [Theory]
    [InlineData("{ host: new.example.com }", 8080)]          // no scheme: the listener's port (Gateway API), not 80
    [InlineData("{ }", 8080)]
    [InlineData("{ scheme: https }", 443)]                   // a scheme: its well-known port
    [InlineData("{ scheme: http, host: a.example.com }", 80)]
    [InlineData("{ host: a.example.com, port: 9000 }", 9000)]
    public void A_redirect_without_port_gets_the_scheme_s_port_or_the_listener_s(string redirect, int port)
    {
        var r = CompileRoute($"- {{ redirect: {redirect} }}");
        Assert.Empty(r.Diagnostics);
        Assert.Equal(port, r.Snapshot.Listeners.Single().Routes.Single().Redirect!.Port);
    }

    [Theory]
    [InlineData("{ host: new.example.com }", 80)]            // behind a Service 80 → 8080: the port clients use
    [InlineData("{ scheme: https }", 443)]
    [InlineData("{ port: 9000 }", 9000)]
    public void In_a_cluster_a_redirect_without_port_gets_the_port_clients_reach_the_listener_on(string redirect, int port)
    {
        var r = Compile(Pool("a") + Policy("p", Listener + $"routes:\n- {{ redirect: {redirect} }}"),
            new CompilerInput { PublicPorts = new Dictionary<int, int> { [8080] = 80 } });
        Assert.Empty(r.Diagnostics);
        Assert.Equal(port, r.Snapshot.Listeners.Single().Routes.Single().Redirect!.Port);
        Assert.Equal(80, r.Snapshot.Listeners.Single().PublicPort);
    }
}
