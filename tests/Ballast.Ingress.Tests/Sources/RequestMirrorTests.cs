using System.Net;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// RequestMirror (HTTPRouteRequestMirror, HTTPRouteRequestMultipleMirrors, HTTPRouteRequestPercentageMirror): what the
/// mirror backends receive, with the routes of <c>conformance-routes.yaml</c>. Each test tags its requests with a query id of its own,
/// so the shared backends' logs tell its copies apart.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RequestMirrorTests(ConformanceGateway gateway) : IClassFixture<ConformanceGateway>
{
    private async Task<EchoedRequest> SendAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "mirror.test" } };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return EchoBackend.Parse(await response.Content.ReadAsStringAsync());
    }

    private List<EchoedRequest> Copies(string backend, string id) => [.. gateway.Backends[backend].Received.Where(r => r.Query.Contains(id, StringComparison.Ordinal))];

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_copy_reaches_the_mirror_and_the_client_gets_the_routes_answer()
    {
        var id = NewId();
        var answer = await SendAsync($"/mirror?id={id}");

        Assert.Equal("v1", answer.Backend);
        var copy = Assert.Single(await Eventually.GetAsync(() => Copies("v2", id), c => c.Count > 0, "the copy on v2"));
        Assert.Equal("/mirror", copy.Path);
        Assert.Equal("GET", copy.Method);
        Assert.Equal("mirror.test", copy.Host);
        Assert.Single(Copies("v1", id));
    }

    [Fact]
    public async Task The_copy_carries_the_routes_header_changes_with_add_as_a_separate_value()
    {
        var id = NewId();
        await SendAsync($"/mirror-and-modify-headers?id={id}", ("X-Header-Remove", "gone"), ("X-Header-Add", "existing"), ("X-Header-Set", "old"));

        var copy = Assert.Single(await Eventually.GetAsync(() => Copies("v2", id), c => c.Count > 0, "the copy on v2"));
        Assert.Equal("set-value", copy.Header("X-Header-Set"));
        Assert.Equal("existing,added", copy.Header("X-Header-Add"));
        Assert.Null(copy.Header("X-Header-Remove"));
        var original = Assert.Single(Copies("v1", id));
        Assert.Equal("existing,added", original.Header("X-Header-Add"));
    }

    [Fact]
    public async Task Two_mirrors_each_get_a_copy()
    {
        var id = NewId();
        await SendAsync($"/two-mirrors?id={id}");

        await Eventually.True(() => Copies("v2", id).Count == 1 && Copies("v3", id).Count == 1, "one copy on v2 and one on v3");
        Assert.Single(Copies("v1", id));
    }

    [Theory]
    [InlineData("/half", 10, 5)]
    [InlineData("/percent", 10, 2)]
    public async Task A_fraction_or_percent_mirrors_exactly_that_share(string path, int requests, int copies)
    {
        var id = NewId();
        for (var i = 0; i < requests; i++) await SendAsync($"{path}?id={id}&n={i}");

        // Every copy was handed off before its request was forwarded, so once none is in flight the count is final.
        await Eventually.True(() => Copies("v2", id).Count >= copies, $"{copies} copies on v2");
        await Eventually.True(() => gateway.Ingress.Host.Services.GetService(typeof(RequestMirrors)) is RequestMirrors { InFlight: 0 }, "no copy in flight");
        Assert.Equal(copies, Copies("v2", id).Count);
        Assert.Equal(requests, Copies("v1", id).Count);
    }

    [Fact]
    public async Task A_small_body_is_copied_and_a_large_one_is_not()
    {
        var id = NewId();
        using (var small = new HttpRequestMessage(HttpMethod.Post, $"/mirror?id={id}&size=small") { Headers = { Host = "mirror.test" }, Content = new StringContent("a small body") })
        using (var response = await gateway.Client.SendAsync(small)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var large = new string('x', (int)RequestMirrors.MaxBodyBytes + 1);
        using (var big = new HttpRequestMessage(HttpMethod.Post, $"/mirror?id={id}&size=large") { Headers = { Host = "mirror.test" }, Content = new StringContent(large) })
        using (var response = await gateway.Client.SendAsync(big))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(large, EchoBackend.Parse(await response.Content.ReadAsStringAsync()).Body);
        }

        var copy = Assert.Single(await Eventually.GetAsync(() => Copies("v2", id), c => c.Count > 0, "the small body's copy"));
        Assert.Equal("a small body", copy.Body);
        Assert.Contains("size=small", copy.Query, StringComparison.Ordinal);
        await Eventually.True(() => gateway.Ingress.Host.Services.GetService(typeof(RequestMirrors)) is RequestMirrors { InFlight: 0 }, "no copy in flight");
        Assert.Single(Copies("v2", id));
        var dropped = PrometheusText.Value(await gateway.Ingress.MetricsAsync(),
            "ballast_mirror_requests_total{route=\"httproute:default/mirrors/rules[0]\",pool=\"default/v2:8080\",result=\"dropped_body\"}");
        Assert.True(dropped >= 1, $"dropped_body: {dropped}");
    }
}

/// <summary>
/// A mirror that never answers, or cannot be reached, costs the client nothing: requests complete while their copies
/// hang, copies beyond the limit in flight are dropped and counted, and an unreachable mirror is counted as failed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RequestMirrorLimitTests
{
    [Fact]
    public async Task A_mirror_that_hangs_never_holds_a_request_and_copies_beyond_the_limit_are_dropped_and_counted()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var primary = await EchoBackend.StartAsync("primary");
        await using var hanging = await TestBackend.StartAsync("hanging", async ctx =>
        {
            await release.Task.WaitAsync(ctx.RequestAborted);
            await ctx.Response.WriteAsync("late");
        });
        var closed = FreePort.Next(); // nothing listens there
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { MirrorMaxInFlight = 2 });
        await using var folder = await StandaloneFolder.LoadAsync(ingress, ("all.yaml", GatewayApiYaml.Gateway($"{{ name: http, port: {port}, protocol: HTTP }}") + $$"""
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: r }
            spec:
              parentRefs: [ { name: gw } ]
              rules:
                - matches: [ { path: { value: /hang } } ]
                  filters: [ { type: RequestMirror, requestMirror: { backendRef: { name: hanging, port: 8080 } } } ]
                  backendRefs: [ { name: primary, port: 8080 } ]
                - matches: [ { path: { value: /unreachable } } ]
                  filters: [ { type: RequestMirror, requestMirror: { backendRef: { name: closed, port: 8080 } } } ]
                  backendRefs: [ { name: primary, port: 8080 } ]

            """ + GatewayApiYaml.Service("default", "primary", primary.Port) + GatewayApiYaml.Service("default", "hanging", hanging.Port)
              + GatewayApiYaml.Service("default", "closed", closed)));
        var client = ingress.Client(port);
        var mirrors = (RequestMirrors)ingress.Host.Services.GetService(typeof(RequestMirrors))!;

        // Five requests complete one after the other while the first two copies hang: the mirror holds nothing up.
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync($"/hang?n={i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("primary", EchoBackend.Parse(await response.Content.ReadAsStringAsync()).Backend);
        }
        await Eventually.True(() => hanging.Requests == 2, "two copies reached the hanging mirror");
        Assert.Equal(2, mirrors.InFlight);
        string Series(string result, string pool) =>
            $"ballast_mirror_requests_total{{route=\"httproute:default/r/rules[{(pool == "hanging" ? 0 : 1)}]\",pool=\"default/{pool}:8080\",result=\"{result}\"}}";
        Assert.Equal(3, PrometheusText.Value(await ingress.MetricsAsync(), Series("dropped_busy", "hanging")));

        release.SetResult();
        await Eventually.True(() => mirrors.InFlight == 0, "the held copies answered");
        Assert.Equal(2, PrometheusText.Value(await ingress.MetricsAsync(), Series("answered", "hanging")));
        Assert.Equal(2, hanging.Requests);

        // A mirror nobody listens on: the client still gets its answer; the copy is counted as failed.
        using (var response = await client.GetAsync("/unreachable")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.True(() => mirrors.InFlight == 0, "the unreachable copy gave up");
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), Series("failed", "closed")));
    }
}
