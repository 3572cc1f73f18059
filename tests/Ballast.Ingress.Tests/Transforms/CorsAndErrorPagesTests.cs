using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Transforms;

/// <summary>The two route features ingress-nginx users needed: CORS answered by the proxy, and custom error responses.</summary>
[Trait("Category", "Integration")]
public sealed class CorsAndErrorPagesTests
{
    private static Snapshot Compile(string yaml) => Snapshots.FromYaml(yaml, version: 1);

    private static string Config(int port, int app, int errors, string route) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: app }
        spec: { endpoints: [ { address: "127.0.0.1:{{app}}" } ] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: errors }
        spec: { endpoints: [ { address: "127.0.0.1:{{errors}}" } ] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: empty }
        spec: { endpoints: [] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: web }
        spec:
          listeners: [ { name: http, port: {{port}}, protocol: HTTP } ]
          routes:
        {{route}}
        """;

    [Fact]
    public async Task A_preflight_is_answered_by_the_proxy_and_responses_to_allowed_origins_carry_CORS_headers()
    {
        await using var app = await TestBackend.StartAsync("app", async ctx =>
        {
            ctx.Response.Headers["Access-Control-Allow-Origin"] = "https://evil.example"; // the route's answer replaces it
            await ctx.Response.WriteAsync("ok");
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Compile(Config(port, app.Port, app.Port, """
                - backends: [ { pool: app } ]
                  cors:
                    allowOrigins: [ "https://app.example.com", "https://*.tenants.example.com" ]
                    allowMethods: [ GET, PUT ]
                    allowHeaders: [ Authorization, Content-Type ]
                    exposeHeaders: [ X-Total-Count ]
                    allowCredentials: true
                    maxAge: 10m
            """)));
        var client = ingress.Client(port);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/items");
        preflight.Headers.Add("Origin", "https://a.tenants.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        using var answer = await client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("https://a.tenants.example.com", Single(answer, "Access-Control-Allow-Origin"));
        Assert.Equal("GET, PUT", Single(answer, "Access-Control-Allow-Methods"));
        Assert.Equal("Authorization, Content-Type", Single(answer, "Access-Control-Allow-Headers"));
        Assert.Equal("600", Single(answer, "Access-Control-Max-Age"));
        Assert.Equal("true", Single(answer, "Access-Control-Allow-Credentials"));
        Assert.Equal(0, app.Requests); // never reached the backend

        using var denied = new HttpRequestMessage(HttpMethod.Options, "/items");
        denied.Headers.Add("Origin", "https://evil.example");
        denied.Headers.Add("Access-Control-Request-Method", "PUT");
        using var deniedAnswer = await client.SendAsync(denied);
        Assert.Equal(HttpStatusCode.NoContent, deniedAnswer.StatusCode);
        Assert.False(deniedAnswer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(0, app.Requests);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/items");
        get.Headers.Add("Origin", "https://app.example.com");
        using var response = await client.SendAsync(get);
        Assert.Equal("https://app.example.com", Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal("X-Total-Count", Single(response, "Access-Control-Expose-Headers"));
        Assert.Contains("Origin", response.Headers.Vary);

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/items");
        foreign.Headers.Add("Origin", "https://evil.example");
        using var foreignResponse = await client.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.OK, foreignResponse.StatusCode);
        Assert.False(foreignResponse.Headers.Contains("Access-Control-Allow-Origin")); // the backend's own is removed too
    }

    [Fact]
    public async Task Chosen_error_statuses_are_replaced_by_the_error_pools_page_and_others_pass()
    {
        await using var app = await TestBackend.StartAsync("app", async ctx =>
        {
            ctx.Response.StatusCode = ctx.Request.Path == "/missing" ? 404 : ctx.Request.Path == "/teapot" ? 418 : 200;
            await ctx.Response.WriteAsync("app body");
        });
        await using var errors = await TestBackend.StartAsync("errors", async ctx =>
        {
            ctx.Response.StatusCode = int.Parse(ctx.Request.Headers["X-Code"]!);
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync($"page {ctx.Request.Headers["X-Code"]} for {ctx.Request.Headers["X-Original-URI"]} at {ctx.Request.Path} as {ctx.Request.Headers["X-Format"]}");
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Compile(Config(port, app.Port, errors.Port, """
                - match: { pathPrefix: /down }
                  backends: [ { pool: empty } ]
                  errorResponses: { statuses: [ 404, 503 ], pool: errors }
                - backends: [ { pool: app } ]
                  errorResponses: { statuses: [ 404, 503 ], pool: errors }
            """)));
        var client = ingress.Client(port);

        using var missing = new HttpRequestMessage(HttpMethod.Get, "/missing?x=1");
        missing.Headers.Add("Accept", "text/html");
        using var page = await client.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("page 404 for /missing?x=1 at / as text/html", await page.Content.ReadAsStringAsync());
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        using var teapot = await client.GetAsync("/teapot");
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("app body", await teapot.Content.ReadAsStringAsync());

        using var down = await client.GetAsync("/down");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("page 503 for /down at / as text/html", await down.Content.ReadAsStringAsync());
    }

    private static string Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : "";
}
