using System.Net;
using System.Text.Json;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Tests.Admin;

/// <summary>
/// <c>/admin/explain</c> answers what the proxy does: one route table written as users write it (hosts exact and
/// wildcard, paths exact, prefix and regex, methods, headers present/exact/regex, query, a canary, a header the listener
/// strips before routing), and for each row a
/// real request through the proxy and the same question to explain. Every route tags the request (X-Route) and each
/// pool is its own backend, so the proxy's answer is read off the response; both must give the row's expected route
/// and pool, or both a 404.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExplainMatrixTests
{
    private static readonly (string Name, string Match, string Extra)[] Routes =
    [
        ("shop", "hosts: [shop.example], pathPrefix: /", ""),
        ("wild", """hosts: ["*.example.com"], pathPrefix: /""", ""),
        ("wild-admin", """hosts: ["*.example.com"], pathPrefix: /admin""", ""),
        ("health", "path: /health", ""),
        ("orders-post", "pathPrefix: /api/orders, methods: [POST]", ""),
        ("orders", "pathPrefix: /api/orders", ""),
        ("api-gold", "pathPrefix: /api, headers: [ { name: X-Tenant, value: gold } ]", ""),
        ("api-beta", "pathPrefix: /api, headers: [ { name: X-Beta } ]", ""),
        ("api-internal", "pathPrefix: /api, headers: [ { name: X-Internal-Role } ]", ""),
        ("api", "pathPrefix: /api", ""),
        ("versioned", """pathRegex: "/v[0-9]+/.*" """, ""),
        ("search-page", """path: /search, query: [ { name: page, regex: "[0-9]+" }, { name: q } ]""", ""),
        ("search", "path: /search, query: [ { name: q } ]", ""),
        ("mobile", """pathPrefix: /m, headers: [ { name: User-Agent, regex: ".*Mobile.*" } ]""", ""),
        ("shelf", "pathPrefix: /shelf", "canary: { pool: canary, header: { name: X-Canary, value: always } }"),
    ];

    public static TheoryData<string, string, string, string[], string?, string?> Rows => new()
    {
        // method, host, path and query, headers → route, pool (null, null: 404)
        { "GET", "shop.example", "/", [], "shop", "echo" },
        { "GET", "SHOP.Example", "/anything/else", [], "shop", "echo" },
        { "GET", "a.example.com", "/x", [], "wild", "echo" },
        { "GET", "a.b.example.com", "/admin/users", [], "wild-admin", "echo" },
        { "GET", "a.example.com", "/health", [], "wild", "echo" },
        { "GET", "example.com", "/health", [], "health", "echo" },
        { "GET", "other.org", "/health", [], "health", "echo" },
        { "GET", "other.org", "/healthz", [], null, null },
        { "POST", "other.org", "/api/orders/17", [], "orders-post", "echo" },
        { "GET", "other.org", "/api/orders", [], "orders", "echo" },
        { "DELETE", "other.org", "/api/orders/17", [], "orders", "echo" },
        { "GET", "other.org", "/api/ordersX", [], "api", "echo" },
        { "GET", "other.org", "/api/x", ["X-Tenant: gold"], "api-gold", "echo" },
        { "GET", "other.org", "/api/x", ["X-Tenant: silver"], "api", "echo" },
        { "GET", "other.org", "/api/x", ["X-Beta: 1"], "api-beta", "echo" },
        // The listener strips X-Internal-* from clients before routing: a client cannot select the internal route.
        { "GET", "other.org", "/api/x", ["X-Internal-Role: admin"], "api", "echo" },
        { "GET", "other.org", "/apix", [], null, null },
        { "GET", "other.org", "/v2/items", [], "versioned", "echo" },
        { "GET", "other.org", "/v/items", [], null, null },
        { "GET", "other.org", "/search?q=shoes", [], "search", "echo" },
        { "GET", "other.org", "/search?page=2&q=shoes", [], "search-page", "echo" },
        { "GET", "other.org", "/search?page=two&q=shoes", [], "search", "echo" },
        { "GET", "other.org", "/search?page=2", [], null, null },
        { "GET", "other.org", "/m/home", ["User-Agent: Foo Mobile Bar"], "mobile", "echo" },
        { "GET", "other.org", "/m/home", ["User-Agent: Desktop"], null, null },
        { "GET", "other.org", "/shelf/1", [], "shelf", "echo" },
        { "GET", "other.org", "/shelf/1", ["X-Canary: always"], "shelf", "canary" },
        { "GET", "other.org", "/shelf/1", ["X-Canary: sometimes"], "shelf", "echo" },
    };

    [Fact]
    public async Task Explain_and_the_proxy_agree_on_every_row_of_the_matrix()
    {
        await using var echo = await TestBackend.StartAsync("echo", Tagged("echo"));
        await using var canary = await TestBackend.StartAsync("canary", Tagged("canary"));
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var folder = Directory.CreateTempSubdirectory("ballast-explain-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "site.yaml"), Config(port, echo.Port, canary.Port));
            await using var source = new FolderSnapshotSource(folder, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            Assert.True(await source.ReloadAsync(), string.Join("\n", source.LastDiagnostics));
            using var proxy = ingress.Client(port);

            var failures = new List<string>();
            foreach (var row in Rows)
            {
                var (method, host, path, headers, route, pool) = ((string)row[0], (string)row[1], (string)row[2], (string[])row[3], (string?)row[4], (string?)row[5]);
                var expected = route is null ? "404" : $"default/site/{route} → default/{pool}";
                var proxied = await ProxyAsync(proxy, method, host, path, headers);
                var explained = await ExplainAsync(ingress.Admin, method, host, path, headers);
                if (proxied != expected || explained != expected)
                    failures.Add($"{method} {host}{path} [{string.Join("; ", headers)}]: expected {expected}, proxy {proxied}, explain {explained}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task Explain_says_what_a_more_specific_route_lacked_and_which_endpoints_are_available()
    {
        await using var echo = await TestBackend.StartAsync("echo", Tagged("echo"));
        await using var canary = await TestBackend.StartAsync("canary", Tagged("canary"));
        await using var ingress = await IngressFixture.StartAsync();
        var folder = Directory.CreateTempSubdirectory("ballast-explain-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "site.yaml"), Config(FreePort.Next(), echo.Port, canary.Port));
            await using var source = new FolderSnapshotSource(folder, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            Assert.True(await source.ReloadAsync());

            using var answer = JsonDocument.Parse(await ingress.Admin.GetStringAsync(
                "/admin/explain?host=other.org&path=/api/orders/1&method=GET&header=" + Uri.EscapeDataString("X-Tenant: gold")));
            var root = answer.RootElement;
            Assert.Equal("http", root.GetProperty("listener").GetProperty("name").GetString());
            var route = root.GetProperty("route");
            Assert.Equal("default/site/orders", route.GetProperty("id").GetString());
            Assert.Equal("any host", route.GetProperty("hostGroup").GetString());
            Assert.Equal(["path under /api/orders"], route.GetProperty("matched").EnumerateArray().Select(e => e.GetString()));
            // The routes ahead of it in precedence order: the exact paths, then the same prefix with a method. The gold route
            // comes after it (a shorter prefix), so it is not listed though its header is there.
            var skipped = root.GetProperty("skipped").EnumerateArray()
                .Select(s => (Route: s.GetProperty("route").GetString(), Lacked: s.GetProperty("lacked").GetString())).ToList();
            Assert.Equal(["default/site/search-page", "default/site/search", "default/site/health", "default/site/orders-post"], skipped.Select(s => s.Route));
            Assert.Equal("path is not = /search", skipped[0].Lacked);
            Assert.Equal("path is not = /health", skipped[2].Lacked);
            Assert.Equal("method GET is not POST", skipped[3].Lacked);
            var pool = Assert.Single(root.GetProperty("pools").EnumerateArray());
            Assert.Equal("default/echo", pool.GetProperty("pool").GetString());
            var endpoint = Assert.Single(pool.GetProperty("endpoints").EnumerateArray());
            Assert.Equal(echo.Address, endpoint.GetProperty("id").GetString());
            Assert.True(endpoint.GetProperty("available").GetBoolean());
            Assert.Equal($"route default/site/orders → pool default/echo (1 of 1 endpoints available)", root.GetProperty("answer").GetString());

            // No route: every candidate is listed with what it lacked, and the answer is the proxy's 404.
            using var none = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/explain?host=other.org&path=/v/items"));
            Assert.Equal(404, none.RootElement.GetProperty("status").GetInt32());
            Assert.Equal(JsonValueKind.Null, none.RootElement.GetProperty("route").ValueKind);
            var reasons = none.RootElement.GetProperty("skipped").EnumerateArray()
                .ToDictionary(s => s.GetProperty("route").GetString()!, s => s.GetProperty("lacked").GetString());
            Assert.Equal("path is not ~ /v[0-9]+/.*", reasons["default/site/versioned"]);
            Assert.Equal("path is not = /health", reasons["default/site/health"]);

            // A bad question names the field.
            var bad = await ingress.Admin.GetAsync("/admin/explain?path=nope");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.Equal("path", error.RootElement.GetProperty("field").GetString());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static string Config(int port, int echoPort, int canaryPort) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: echo }
        spec: { endpoints: [ { address: "127.0.0.1:{{echoPort}}" } ] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: canary }
        spec: { endpoints: [ { address: "127.0.0.1:{{canaryPort}}" } ] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: site }
        spec:
          listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1, stripRequestHeaderPrefixes: [X-Internal-] } ]
          routes:
        """ + "\n" + string.Join("\n", Routes.Select(r =>
            $"    - {{ name: {r.Name}, match: {{ {r.Match} }}, backends: [ {{ pool: echo }} ], requestHeaders: {{ set: {{ X-Route: {r.Name} }} }}"
            + (r.Extra.Length > 0 ? ", " + r.Extra : "") + " }")) + "\n";

    /// <summary>The backend answers "route|pool": the route from the tag the route set, the pool from which backend answered.</summary>
    private static Func<HttpContext, Task> Tagged(string pool) =>
        context => context.Response.WriteAsync(context.Request.Headers["X-Route"] + "|" + pool);

    private static async Task<string> ProxyAsync(HttpClient proxy, string method, string host, string path, string[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Host = host;
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
        }
        using var response = await proxy.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NotFound) return "404";
        var parts = body.Split('|');
        return $"default/site/{parts[0]} → default/{parts[1]}";
    }

    private static async Task<string> ExplainAsync(HttpClient admin, string method, string host, string path, string[] headers)
    {
        var query = $"/admin/explain?method={method}&host={Uri.EscapeDataString(host)}&path={Uri.EscapeDataString(path)}"
            + string.Concat(headers.Select(h => "&header=" + Uri.EscapeDataString(h)));
        using var answer = JsonDocument.Parse(await admin.GetStringAsync(query));
        var root = answer.RootElement;
        if (root.GetProperty("route").ValueKind == JsonValueKind.Null) return root.GetProperty("status").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pools = root.GetProperty("pools").EnumerateArray().Select(p => p.GetProperty("pool").GetString()).ToList();
        return $"{root.GetProperty("route").GetProperty("id").GetString()} → {string.Join(" | ", pools)}";
    }
}
