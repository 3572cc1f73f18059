using System.Globalization;
using System.Net;
using System.Text.Json;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.AccessLog;

/// <summary>Access logs from YAML as users write them, through real sockets, read back from the file line by line.</summary>
[Trait("Category", "Integration")]
public sealed class AccessLogEndToEndTests
{
    [Fact]
    public async Task A_JSON_line_per_request_carries_every_field_and_requests_no_route_takes_use_the_listeners_log()
    {
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("api", async ctx =>
        {
            await ctx.Request.Body.CopyToAsync(Stream.Null);
            ctx.Response.StatusCode = 201;
            await ctx.Response.WriteAsync("hello");
        });
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, backend.Port, $$"""
              listeners:
                - { name: http, port: {{port}}, address: 127.0.0.1, accessLog: { format: Json, file: "{{files.File}}" } }
              routes:
                - { name: api, match: { pathPrefix: /api }, backends: [ { pool: api } ] }
            """);
        var client = ingress.Client(port);
        var before = DateTimeOffset.UtcNow;

        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/items?x=1&y=2");
        get.Headers.TryAddWithoutValidation("User-Agent", "test-agent/1.0");
        get.Headers.TryAddWithoutValidation("Referer", "http://ref.example/page");
        get.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        get.Headers.TryAddWithoutValidation("X-Request-ID", "req-42");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(get)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/upload", new ByteArrayContent(new byte[11]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/elsewhere")).StatusCode);
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 3);
        var after = DateTimeOffset.UtcNow;

        var lines = files.Lines().Select(AccessLogFiles.Json).ToDictionary(l => l.GetProperty("path").GetString()!);
        Assert.Equal(3, lines.Count);
        var line = lines["/api/items"];
        // Every field is present in every line, in the documented order.
        Assert.Equal(["time", "client_address", "client_port", "method", "scheme", "host", "path", "query", "protocol", "status",
            "request_bytes", "response_bytes", "duration_ms", "upstream_ttfb_ms", "route", "pool", "endpoint", "upstream_status", "retries",
            "request_id", "trace_id", "user_agent", "referer", "tls_version", "tls_cipher", "tls_sni", "auth_subject", "listener"],
            line.EnumerateObject().Select(p => p.Name).ToArray());
        var time = DateTimeOffset.Parse(line.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(time, before.AddMilliseconds(-1), after);
        Assert.Equal("127.0.0.1", line.GetProperty("client_address").GetString());
        Assert.InRange(line.GetProperty("client_port").GetInt32(), 1, 65535);
        Assert.Equal("GET", line.GetProperty("method").GetString());
        Assert.Equal("http", line.GetProperty("scheme").GetString());
        Assert.Equal($"127.0.0.1:{port}", line.GetProperty("host").GetString());
        Assert.Equal("x=1&y=2", line.GetProperty("query").GetString());
        Assert.Equal("HTTP/1.1", line.GetProperty("protocol").GetString());
        Assert.Equal(201, line.GetProperty("status").GetInt32());
        Assert.Equal(0, line.GetProperty("request_bytes").GetInt64());
        Assert.Equal(5, line.GetProperty("response_bytes").GetInt64());
        var duration = line.GetProperty("duration_ms").GetDouble();
        Assert.InRange(duration, 0, (after - before).TotalMilliseconds);
        Assert.InRange(line.GetProperty("upstream_ttfb_ms").GetDouble(), 0, duration);
        Assert.Equal("default/shop/api", line.GetProperty("route").GetString());
        Assert.Equal("default/api", line.GetProperty("pool").GetString());
        Assert.Equal($"127.0.0.1:{backend.Port}", line.GetProperty("endpoint").GetString());
        Assert.Equal(201, line.GetProperty("upstream_status").GetInt32());
        Assert.Equal(0, line.GetProperty("retries").GetInt32());
        Assert.Equal("req-42", line.GetProperty("request_id").GetString());
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", line.GetProperty("trace_id").GetString());
        Assert.Equal("test-agent/1.0", line.GetProperty("user_agent").GetString());
        Assert.Equal("http://ref.example/page", line.GetProperty("referer").GetString());
        foreach (var absent in new[] { "tls_version", "tls_cipher", "tls_sni", "auth_subject" })
            Assert.Equal(JsonValueKind.Null, line.GetProperty(absent).ValueKind);
        Assert.Equal("http", line.GetProperty("listener").GetString());

        var post = lines["/api/upload"];
        Assert.Equal("POST", post.GetProperty("method").GetString());
        Assert.Equal(11, post.GetProperty("request_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, post.GetProperty("query").ValueKind);
        // The proxy made one up and sent it on; the line carries the same one.
        Assert.False(string.IsNullOrEmpty(post.GetProperty("request_id").GetString()));

        var unrouted = lines["/elsewhere"];
        Assert.Equal(404, unrouted.GetProperty("status").GetInt32());
        Assert.Equal("no route\n".Length, unrouted.GetProperty("response_bytes").GetInt64());
        foreach (var absent in new[] { "route", "pool", "endpoint", "upstream_status", "upstream_ttfb_ms" })
            Assert.Equal(JsonValueKind.Null, unrouted.GetProperty(absent).ValueKind);
    }

    [Fact]
    public async Task A_route_template_overrides_its_listener_and_a_route_can_turn_logging_off()
    {
        using var files = new AccessLogFiles();
        var routeFile = Path.Combine(files.Folder, "orders.log");
        await using var backend = await TestBackend.StartAsync("api");
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, backend.Port, $$"""
              listeners:
                - { name: http, port: {{port}}, address: 127.0.0.1, accessLog: { file: "{{files.File}}" } }
              routes:
                - name: orders
                  match: { pathPrefix: /orders }
                  backends: [ { pool: api } ]
                  accessLog:
                    format: Template
                    file: "{{routeFile}}"
                    template: '{client_address} "{method} {path}?{query} {protocol}" {status} {response_bytes} {route} {endpoint} {user_agent} {{"{{"}}done{{"}}"}}'
                - { name: health, match: { path: /health }, backends: [ { pool: api } ], accessLog: { format: Off } }
                - { name: rest, match: { pathPrefix: / }, backends: [ { pool: api } ] }
            """);
        var client = ingress.Client(port);

        using var order = new HttpRequestMessage(HttpMethod.Get, "/orders/7?full=1");
        // A client's quote and newline cannot break out of the field or start a forged line.
        order.Headers.TryAddWithoutValidation("User-Agent", "evil\"agent");
        await client.SendAsync(order);
        await client.GetAsync("/health");
        await client.GetAsync("/other");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 2);

        var templated = Assert.Single(files.Lines(routeFile));
        Assert.Equal($"127.0.0.1 \"GET /orders/7?full=1 HTTP/1.1\" 200 3 default/shop/orders 127.0.0.1:{backend.Port} evil\\x22agent {{done}}", templated);
        var json = AccessLogFiles.Json(Assert.Single(files.Lines()));
        Assert.Equal("/other", json.GetProperty("path").GetString());
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task A_retried_request_names_the_endpoint_that_answered_and_counts_the_retry()
    {
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("up");
        var closed = FreePort.Next(); // nothing listens: the connect fails and the route retries
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        var dir = Directory.CreateTempSubdirectory("ballast-retry-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.yaml"), $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: two }
            spec:
              endpoints: [ { address: "127.0.0.1:{{closed}}" }, { address: "127.0.0.1:{{backend.Port}}" } ]
              loadBalancing: { algorithm: RoundRobin }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop }
            spec:
              listeners: [ { name: http, port: {{port}}, address: 127.0.0.1, accessLog: { file: "{{files.File}}" } } ]
              routes: [ { name: all, backends: [ { pool: two } ], retries: { attempts: 2, on: [ connect-failure ] } } ]
            """);
        await using var source = new Ballast.Ingress.Sources.FolderSnapshotSource(dir, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(100),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Ballast.Ingress.Sources.FolderSnapshotSource>.Instance);
        Assert.True(await source.ReloadAsync(), string.Join("\n", source.LastDiagnostics));
        var client = ingress.Client(port);

        // Round robin puts at least one of the requests on the closed port first; it is retried to the live one.
        await client.GetAsync("/a");
        await client.GetAsync("/b");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 2);
        var lines = files.Lines().Select(AccessLogFiles.Json).ToList();
        Assert.All(lines, l => Assert.Equal($"127.0.0.1:{backend.Port}", l.GetProperty("endpoint").GetString()));
        Assert.All(lines, l => Assert.Equal(200, l.GetProperty("upstream_status").GetInt32()));
        // A refused connect is a replay (the access log's retries field counts every attempt sent again).
        var retried = PrometheusText.Value(await ingress.MetricsAsync(), "ballast_replays_total{route=\"default/shop/all\"}");
        Assert.True(retried >= 1, $"replays counted: {retried}");
        Assert.Equal(retried, lines.Sum(l => l.GetProperty("retries").GetInt32()));
        Directory.Delete(dir, recursive: true);
    }
}
