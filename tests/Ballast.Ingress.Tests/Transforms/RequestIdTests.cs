using System.Collections.Concurrent;
using Ballast.Ingress.Tests.Support;
using Ballast.Ingress.Transforms;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Transforms;

[Trait("Category", "Integration")]
public sealed class RequestIdTests
{
    private static async Task<(TestBackend Backend, ConcurrentQueue<string> Seen)> StartRecorderAsync()
    {
        var seen = new ConcurrentQueue<string>();
        var backend = await TestBackend.StartAsync("rec", ctx =>
        {
            seen.Enqueue(ctx.Request.Headers[RequestIds.HeaderName].ToString());
            return ctx.Response.WriteAsync("ok");
        });
        return (backend, seen);
    }

    [Fact]
    public async Task A_sane_client_request_id_is_kept_sent_to_the_backend_and_returned()
    {
        var (backend, seen) = await StartRecorderAsync();
        await using var _ = backend;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add(RequestIds.HeaderName, "client-id-42");
        var response = await ingress.Client(port).SendAsync(request);

        Assert.Equal("client-id-42", Assert.Single(seen));
        Assert.Equal("client-id-42", Assert.Single(response.Headers.GetValues(RequestIds.HeaderName)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has space")]
    [InlineData("too-long")]
    public async Task A_missing_or_insane_request_id_is_replaced_by_a_generated_one(string? clientId)
    {
        if (clientId == "too-long") clientId = new string('x', RequestIds.MaxLength + 1);
        var (backend, seen) = await StartRecorderAsync();
        await using var _ = backend;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));
        var client = ingress.Client(port);

        var returned = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            if (clientId is not null) request.Headers.TryAddWithoutValidation(RequestIds.HeaderName, clientId);
            var response = await client.SendAsync(request);
            returned.Add(Assert.Single(response.Headers.GetValues(RequestIds.HeaderName)));
        }

        Assert.Equal(returned, seen.ToList());
        Assert.All(returned, id => Assert.True(RequestIds.IsSane(id) && id != clientId, id));
        Assert.NotEqual(returned[0], returned[1]);
    }
}
