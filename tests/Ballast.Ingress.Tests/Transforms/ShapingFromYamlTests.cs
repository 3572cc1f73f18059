using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Transforms;

/// <summary>The whole chain for shaping: YAML as users write it → Compiler → snapshot → requests on real sockets.</summary>
[Trait("Category", "Integration")]
public sealed class ShapingFromYamlTests
{
    [Fact]
    public async Task Shaping_written_in_YAML_is_served_strip_rewrite_redirect_and_body_limit()
    {
        await using var backend = await TestBackend.StartAsync("echo", ctx =>
            ctx.Response.WriteAsync($"{ctx.Request.Host.Value} {ctx.Request.Path.Value} internal={ctx.Request.Headers["X-Internal-User"]}"));
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, backend.Port, $$"""
              listeners:
                - { name: http, port: {{port}}, address: 127.0.0.1, stripRequestHeaderPrefixes: [ X-Internal- ] }
              routes:
                - name: api
                  match: { pathPrefix: /api/v1 }
                  backends: [ { pool: api } ]
                  rewrite: { host: api.internal, pathPrefix: /v1 }
                  maxRequestBodyBytes: 16
                - name: old
                  match: { pathPrefix: /old }
                  redirect: { scheme: https, host: shop.example.com, statusCode: 308 }
            """);
        var client = ingress.Client(port);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orders");
        request.Headers.Add("X-Internal-User", "admin");
        using var forwarded = await client.SendAsync(request);
        using var redirected = await client.GetAsync("/old/page?x=1");
        using var tooLarge = await client.PostAsync("/api/v1/orders", new ByteArrayContent(new byte[17]));

        Assert.Equal("api.internal /v1/orders internal=", await forwarded.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal("https://shop.example.com/old/page?x=1", redirected.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(1, backend.Requests);
    }
}
