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

    /// <summary>
    /// A Kestrel backend that requires a client certificate chaining to <paramref name="clientCa"/> (no system roots)
    /// and answers with the subject of the certificate it got.
    /// </summary>
    private static async Task<(WebApplication App, int Port)> StartMutualTlsBackendAsync(TestPki pki, TestPki clientCa,
        Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode mode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate)
    {
        var (certPem, keyPem, _) = pki.Issue("backend", "orders.internal");
        var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certPem, keyPem);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(https =>
        {
            https.ServerCertificate = cert;
            https.ClientCertificateMode = mode;
            https.ClientCertificateValidation = (client, _, _) => clientCa.Validate(client);
        })));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var client = await ctx.Connection.GetClientCertificateAsync();
            await ctx.Response.WriteAsync("client " + client?.Subject);
        });
        await app.StartAsync();
        return (app, port);
    }

    [Fact]
    public async Task A_backend_that_requires_a_client_certificate_gets_the_pools_and_answers()
    {
        using var pki = new TestPki();
        using var clientCa = new TestPki("Client CA");
        var (app, backendPort) = await StartMutualTlsBackendAsync(pki, clientCa);
        await using var _ = app;
        var (clientCert, clientKey, _) = clientCa.Issue("ballast-ingress");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], TlsPool(backendPort, new BackendTlsSnapshot
        {
            CaPem = pki.CaPem,
            ServerName = "orders.internal",
            ClientCertificatePem = clientCert,
            ClientKeyPem = clientKey,
        })));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("client CN=ballast-ingress", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("from another CA")]
    public async Task A_backend_that_requires_a_client_certificate_refuses_a_pool_without_the_right_one_with_502_a_metric_and_a_log(string presented)
    {
        using var pki = new TestPki();
        using var clientCa = new TestPki("Client CA");
        using var otherCa = new TestPki("Other CA");
        var (app, backendPort) = await StartMutualTlsBackendAsync(pki, clientCa);
        await using var _ = app;
        var logs = new CapturingLoggerProvider();
        await using var ingress = await IngressFixture.StartAsync(new Ballast.Ingress.Hosting.IngressOptions { ConfigureLogging = l => l.AddProvider(logs) });
        var port = FreePort.Next();
        var tls = new BackendTlsSnapshot { CaPem = pki.CaPem, ServerName = "orders.internal" };
        if (presented != "none")
        {
            var (cert, key, _) = otherCa.Issue("ballast-ingress");
            tls = tls with { ClientCertificatePem = cert, ClientKeyPem = key };
        }
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], TlsPool(backendPort, tls)));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        if (presented == "none")
        {
            // Only a missing certificate is ours to name; a wrong one is the backend's verdict, seen as a reset.
            // One per refused connection (the default retry makes a second); never for anything else (next test).
            Assert.True(PrometheusText.Value(await ingress.MetricsAsync(), "ballast_backend_tls_failures_total{pool=\"p\",reason=\"client_certificate_required\"}") >= 1,
                "not counted; logs:\n" + string.Join("\n", logs.Messages));
            Assert.Contains(logs.Messages, m => m.Contains("requires a client certificate", StringComparison.Ordinal) && m.Contains("clientCertificateSecretRef", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_backend_that_only_allows_a_client_certificate_serves_a_pool_without_one_and_nothing_is_counted()
    {
        using var pki = new TestPki();
        using var clientCa = new TestPki("Client CA");
        var (app, backendPort) = await StartMutualTlsBackendAsync(pki, clientCa, Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate);
        await using var _ = app;
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))],
            TlsPool(backendPort, new BackendTlsSnapshot { CaPem = pki.CaPem, ServerName = "orders.internal" })));

        var client = ingress.Client(port);
        for (var i = 0; i < 3; i++) Assert.Equal("client ", await client.GetStringAsync("/")); // asked, none sent, served

        Assert.Equal(0, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_backend_tls_failures_total{pool=\"p\",reason=\"client_certificate_required\"}") ?? 0);
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
