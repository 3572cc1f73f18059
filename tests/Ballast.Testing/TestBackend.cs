using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Testing;

/// <summary>
/// A real Kestrel backend on 127.0.0.1 and an OS-chosen port. By default it answers every request with
/// 200, its name in the body and in <c>X-Backend</c>, and counts what it served.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    public string Name { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>Request paths in arrival order.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    private TestBackend(string name, WebApplication app, int port)
    {
        Name = name;
        _app = app;
        Port = port;
    }

    /// <param name="handler">Replaces the default answer; return after writing the response.</param>
    /// <param name="protocols">Http2 for an h2c-only backend (gRPC).</param>
    /// <param name="configure">Extra services/endpoints (gRPC services, WebSockets).</param>
    public static async Task<TestBackend> StartAsync(
        string name,
        Func<HttpContext, Task>? handler = null,
        HttpProtocols protocols = HttpProtocols.Http1AndHttp2,
        Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication>? configure = null,
        int port = 0)
    {
        FastLane.Guard($"the test backend {name}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = protocols));
        configureServices?.Invoke(builder);
        var app = builder.Build();
        TestBackend? self = null;
        app.Use(async (ctx, next) =>
        {
            Interlocked.Increment(ref self!._requests);
            self.Paths.Enqueue(ctx.Request.Path.Value + ctx.Request.QueryString.Value);
            ctx.Response.Headers["X-Backend"] = name;
            await next(ctx);
        });
        configure?.Invoke(app);
        if (configure is null || handler is not null)
        {
            RequestDelegate terminal = handler is null ? async ctx => await ctx.Response.WriteAsync(name) : ctx => handler(ctx);
            app.Run(terminal);
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestBackend(name, app, new Uri(address).Port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
