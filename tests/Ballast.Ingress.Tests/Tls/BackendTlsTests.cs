using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Tls;

[Trait("Category", "Integration")]
public sealed class BackendTlsTests
{
    /// <summary>A Kestrel backend serving HTTPS on 127.0.0.1 with a certificate from <paramref name="pki"/>.</summary>
    private static async Task<(WebApplication App, int Port)> StartHttpsBackendAsync(TestPki pki, string name)
    {
        var (certPem, keyPem, _) = pki.Issue("backend", name);
        var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certPem, keyPem);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(cert)));
        var app = builder.Build();
        app.Run(ctx => ctx.Response.WriteAsync("secure backend, scheme " + ctx.Request.Scheme));
        await app.StartAsync();
        return (app, port);
    }

    private static PoolSnapshot TlsPool(int port, BackendTlsSnapshot tls) =>
        Pool("p", PoolProtocol.HTTP1, new EndpointSnapshot { Host = "127.0.0.1", Port = port }) with { Tls = tls };

    [Fact]
    public async Task A_backend_with_a_certificate_from_the_configured_ca_is_reached_over_https_with_verification_on()
    {
        using var pki = new TestPki();
        var (app, backendPort) = await StartHttpsBackendAsync(pki, "orders.internal");
        await using var _ = app;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))],
            TlsPool(backendPort, new BackendTlsSnapshot { CaPem = pki.CaPem, ServerName = "orders.internal" })));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secure backend, scheme https", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_backend_whose_certificate_does_not_chain_to_the_configured_ca_is_refused_with_502_and_a_metric()
    {
        using var trusted = new TestPki("Trusted CA");
        using var other = new TestPki("Other CA");
        var (app, backendPort) = await StartHttpsBackendAsync(other, "orders.internal");
        await using var _ = app;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))],
            TlsPool(backendPort, new BackendTlsSnapshot { CaPem = trusted.CaPem, ServerName = "orders.internal" })));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_backend_tls_failures_total{pool=\"p\",reason=\"untrusted_chain\"}"));
    }

    [Fact]
    public async Task A_backend_certificate_for_another_name_than_serverName_is_refused_as_name_mismatch()
    {
        using var pki = new TestPki();
        var (app, backendPort) = await StartHttpsBackendAsync(pki, "billing.internal");
        await using var _ = app;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))],
            TlsPool(backendPort, new BackendTlsSnapshot { CaPem = pki.CaPem, ServerName = "orders.internal" })));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_backend_tls_failures_total{pool=\"p\",reason=\"name_mismatch\"}"));
    }
}
