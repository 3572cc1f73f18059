using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies;

/// <summary>
/// One ingress serving one route (id "r") to one counting backend (pool "p"), plus the services the route's
/// policies call (a JWKS server, an auth service), all disposed together.
/// </summary>
internal sealed class PolicyRouteSetup : IAsyncDisposable
{
    private readonly IAsyncDisposable[] _services;

    private PolicyRouteSetup(TestBackend backend, IngressFixture ingress, HttpClient client, IAsyncDisposable[] services)
    {
        Backend = backend;
        Ingress = ingress;
        Client = client;
        _services = services;
    }

    public TestBackend Backend { get; }
    public IngressFixture Ingress { get; }
    public HttpClient Client { get; }

    public static async Task<PolicyRouteSetup> StartAsync(TestBackend backend, RouteSnapshot route, params IAsyncDisposable[] services)
    {
        var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("p", backend)));
        return new PolicyRouteSetup(backend, ingress, ingress.Client(port), services);
    }

    /// <summary>ballast_auth_failures_total of route "r" for one kind and reason.</summary>
    public async Task<double?> AuthFailuresAsync(string kind, string reason) =>
        PrometheusText.Value(await Ingress.MetricsAsync(), $"ballast_auth_failures_total{{route=\"r\",kind=\"{kind}\",reason=\"{reason}\"}}");

    public async ValueTask DisposeAsync()
    {
        await Ingress.DisposeAsync();
        await Backend.DisposeAsync();
        foreach (var service in _services) await service.DisposeAsync();
    }
}
