using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Model.Snapshots;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>An in-process ingress on OS-chosen ports, its admin client, and clients for its listeners.</summary>
public sealed class IngressFixture : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private IngressFixture(IngressHost host)
    {
        Host = host;
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.AdminPort}") };
        _clients.Add(Admin);
    }

    public IngressHost Host { get; }
    public HttpClient Admin { get; }

    public static async Task<IngressFixture> StartAsync(IngressOptions? options = null)
    {
        FastLane.Guard("an ingress (IngressFixture)");
        var host = await IngressHost.StartAsync((options ?? new IngressOptions()) with { AdminPort = 0, AdminAddress = IPAddress.Loopback });
        return new IngressFixture(host);
    }

    public Task ApplyAsync(Snapshot snapshot) => Host.ApplyAsync(snapshot);

    /// <summary>An HTTP/1.1 client for a listener port (pooled keep-alive connections, no cookies).</summary>
    public HttpClient Client(int port, Version? version = null)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 64 };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        _clients.Add(client);
        return client;
    }

    public async Task<string> MetricsAsync() => await Admin.GetStringAsync("/metrics");

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Host.DisposeAsync();
    }
}
