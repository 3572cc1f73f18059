using System.Net;
using System.Net.WebSockets;
using System.Text;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Testing;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Listeners;

[Trait("Category", "Integration")]
public sealed class ProtocolTests
{
    [Fact]
    public async Task One_plain_port_serves_http11_and_h2c_prior_knowledge_and_the_scheme_stays_http()
    {
        await using var backend = await TestBackend.StartAsync("a", ctx =>
            ctx.Response.WriteAsync(ctx.Request.Headers["X-Forwarded-Proto"].ToString()));
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));

        var h1 = await ingress.Client(port, HttpVersion.Version11).GetAsync("/");
        var h2 = await ingress.Client(port, HttpVersion.Version20).GetAsync("/");

        Assert.Equal(HttpVersion.Version11, h1.Version);
        Assert.Equal(HttpVersion.Version20, h2.Version);
        Assert.Equal("http", await h1.Content.ReadAsStringAsync());
        Assert.Equal("http", await h2.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_websocket_echoes_through_the_proxy()
    {
        await using var backend = await WebSocketEcho.StartAsync();
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], Pool("p", backend)));

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), timeout.Token);
        var replies = new List<string>();
        foreach (var message in new[] { "hello", "ballast" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[1024];
            var result = await client.ReceiveAsync(buffer, timeout.Token);
            replies.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(["hello", "ballast"], replies);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task Grpc_calls_on_one_channel_are_balanced_per_call_over_h2c_backends()
    {
        var backends = new List<TestBackend>();
        for (var i = 0; i < 3; i++) backends.Add(await TestBackend.StartAsync("grpc" + i, protocols: HttpProtocols.Http2, configureServices: builder =>
        {
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(_ =>
            {
                var health = new HealthServiceImpl();
                health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
                return health;
            });
        }, configure: app => app.MapGrpcService<HealthServiceImpl>()));
        try
        {
            await using var ingress = await IngressFixture.StartAsync();
            var port = FreePort.Next();
            var pool = Pool("grpc", PoolProtocol.GRPC, [.. backends.Select(b => Endpoint(b))]);
            await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("grpc", 1)))], pool));

            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var client = new Grpc.Health.V1.Health.HealthClient(channel);
            const int calls = 300;
            for (var i = 0; i < calls; i++)
            {
                var reply = await client.CheckAsync(new HealthCheckRequest());
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
            }

            Assert.Equal(calls, backends.Sum(b => b.Requests));
            Assert.All(backends, b => Assert.InRange(b.Requests, calls / 3 * 0.9, calls / 3 * 1.1));
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }
}
