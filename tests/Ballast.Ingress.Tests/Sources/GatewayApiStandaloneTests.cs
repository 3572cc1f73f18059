using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// Gateway API in standalone mode, in the spirit of the upstream HTTPRoute conformance tests: the objects in YAML in
/// a folder (Services and EndpointSlices standing for the cluster's), requests on real sockets, an echo backend that
/// says what it received.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayApiStandaloneTests
{
    /// <summary>A Gateway with two HTTP listeners on <paramref name="port"/>, a Service <c>echo</c> on the backend, and <paramref name="routes"/>.</summary>
    private static Task<StandaloneFolder> LoadAsync(IngressFixture ingress, int port, int backendPort, string routes) =>
        StandaloneFolder.LoadAsync(ingress,
            ("gateway.yaml", GatewayApiYaml.Gateway(
                $"{{ name: wild, port: {port}, protocol: HTTP, hostname: \"*.example.com\" }}",
                $"{{ name: foo, port: {port}, protocol: HTTP, hostname: foo.example.com }}") + GatewayApiYaml.Service("default", "echo", backendPort)),
            ("routes.yaml", routes));

    private static HttpRequestMessage Get(string host, string path) => new(HttpMethod.Get, path) { Headers = { Host = host } };

    [Fact]
    public async Task An_invalid_backendRef_answers_500_for_its_share_of_its_rule_only_and_everything_else_serves()
    {
        await using var backend = await TestBackend.StartAsync("echo", ctx => ctx.Response.WriteAsync($"echo {ctx.Request.Path.Value}"));
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await LoadAsync(ingress, port, backend.Port, """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: shop }
            spec:
              parentRefs: [ { name: gw, sectionName: wild } ]
              rules:
                - matches: [ { path: { value: /split } } ]
                  backendRefs: [ { name: echo, port: 8080, weight: 1 }, { name: missing, port: 8080, weight: 1 } ]
                - matches: [ { path: { value: /ok } } ]
                  backendRefs: [ { name: echo, port: 8080 } ]
            """);
        var client = ingress.Client(port);

        var split = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var r = await client.SendAsync(Get("bar.example.com", "/split"));
            split.Add(r.StatusCode);
        }
        using var ok = await client.SendAsync(Get("bar.example.com", "/ok"));

        Assert.Equal(5, split.Count(s => s == HttpStatusCode.InternalServerError));
        Assert.Equal(5, split.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("echo /ok", await ok.Content.ReadAsStringAsync());
        Assert.Equal(6, backend.Requests); // the 500s never reached a backend
    }

    [Fact]
    public async Task Listener_isolation_hostname_intersection_segment_prefixes_and_the_redirect_port_are_the_specs()
    {
        await using var backend = await TestBackend.StartAsync("echo", ctx => ctx.Response.WriteAsync($"echo {ctx.Request.Path.Value}"));
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await LoadAsync(ingress, port, backend.Port, """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: wild }
            spec:
              parentRefs: [ { name: gw, sectionName: wild } ]
              rules:
                - matches: [ { path: { type: PathPrefix, value: /docs/ } } ]
                  backendRefs: [ { name: echo, port: 8080 } ]
                - matches: [ { path: { type: Exact, value: /moved } } ]
                  filters: [ { type: RequestRedirect, requestRedirect: { hostname: new.example.com } } ]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: foo }
            spec:
              parentRefs: [ { name: gw, sectionName: foo } ]
              hostnames: [ "*.example.com" ]
              rules:
                - matches: [ { path: { type: PathPrefix, value: /only-foo } } ]
                  backendRefs: [ { name: echo, port: 8080 } ]
            """);
        var client = ingress.Client(port);

        async Task<(HttpStatusCode, string)> Send(string host, string path)
        {
            using var r = await client.SendAsync(Get(host, path));
            return (r.StatusCode, r.StatusCode is HttpStatusCode.Found ? r.Headers.Location!.OriginalString : await r.Content.ReadAsStringAsync());
        }

        // A prefix ending in "/" still matches the segment without it, and never a longer segment.
        Assert.Equal((HttpStatusCode.OK, "echo /docs"), await Send("bar.example.com", "/docs"));
        Assert.Equal((HttpStatusCode.OK, "echo /docs/a"), await Send("bar.example.com", "/docs/a"));
        Assert.Equal(HttpStatusCode.NotFound, (await Send("bar.example.com", "/docsx")).Item1);
        // foo.example.com belongs to the foo listener: its route serves there, the wildcard listener's never does.
        Assert.Equal((HttpStatusCode.OK, "echo /only-foo"), await Send("foo.example.com", "/only-foo"));
        Assert.Equal(HttpStatusCode.NotFound, (await Send("foo.example.com", "/docs")).Item1);
        // The foo route's *.example.com intersected with the foo listener is foo.example.com alone.
        Assert.Equal(HttpStatusCode.NotFound, (await Send("bar.example.com", "/only-foo")).Item1);
        // No listener for other hosts.
        Assert.Equal(HttpStatusCode.NotFound, (await Send("example.org", "/docs")).Item1);
        // A redirect that changes only the host keeps the listener's port.
        Assert.Equal((HttpStatusCode.Found, $"http://new.example.com:{port}/moved"), await Send("bar.example.com", "/moved"));
    }
}
