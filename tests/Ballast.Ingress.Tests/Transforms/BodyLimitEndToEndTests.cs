using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Transforms;

/// <summary>maxRequestBodyBytes: a declared length over the limit and a chunked body growing past it.</summary>
[Trait("Category", "Integration")]
public sealed class BodyLimitEndToEndTests
{
    private const int Limit = 1024;

    /// <summary>A backend that reads the whole body and answers with its length.</summary>
    private static Task<TestBackend> CountingAsync() => TestBackend.StartAsync("count", async ctx =>
    {
        var total = 0;
        var buffer = new byte[4096];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(buffer)) > 0) total += read;
        await ctx.Response.WriteAsync(total.ToString());
    });

    /// <summary>Content with no length, so the client sends it chunked.</summary>
    private sealed class ChunkedContent(int size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[256];
            for (var sent = 0; sent < size; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_whether_declared_up_front_or_chunked_and_one_under_it_passes()
    {
        await using var backend = await CountingAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)) with { MaxRequestBodyBytes = Limit })], Pool("p", backend)));
        var client = ingress.Client(port);

        using var declared = await client.PostAsync("/", new ByteArrayContent(new byte[Limit + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(0, backend.Requests); // refused before the backend was involved

        using var chunked = await client.PostAsync("/", new ChunkedContent(4 * Limit));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);

        using var small = await client.PostAsync("/", new ChunkedContent(Limit));
        Assert.True(small.StatusCode == HttpStatusCode.OK, $"{small.StatusCode} {await small.Content.ReadAsStringAsync()} {backend.Requests}");
        Assert.Equal(Limit.ToString(), await small.Content.ReadAsStringAsync());
        using var exact = await client.PostAsync("/", new ByteArrayContent(new byte[Limit]));
        Assert.Equal(Limit.ToString(), await exact.Content.ReadAsStringAsync());

        Assert.Equal(2, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_request_body_too_large_total{route=\"r\"}"));
    }

    [Fact]
    public async Task A_route_without_a_limit_forwards_a_body_larger_than_another_routes_limit()
    {
        await using var backend = await CountingAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var limited = Route("limited", ("p", 1)) with
        {
            Match = new Model.Snapshots.MatchSnapshot { PathKind = Model.Snapshots.PathMatchKind.Prefix, Path = "/small" },
            MaxRequestBodyBytes = Limit,
        };
        await ingress.ApplyAsync(Of(1, [Listener(port, limited, Route("open", ("p", 1)))], Pool("p", backend)));

        using var response = await ingress.Client(port).PostAsync("/big", new ChunkedContent(8 * Limit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((8 * Limit).ToString(), await response.Content.ReadAsStringAsync());
    }
}
