using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Tests.Tls;
using Ballast.Ingress.Tls;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Health;

/// <summary>
/// HTTPS health probes go through the pool's re-encryption setup (Tls/BackendTls), like its traffic: the
/// configured serverName is the SNI and the name checked, although the probe dials the endpoint's IP.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProbeTlsTests
{
    private static readonly ActiveHealthSnapshot Check = new()
    {
        Kind = ActiveCheckKind.Http,
        Path = "/health",
        Interval = TimeSpan.FromSeconds(5),
        Timeout = TimeSpan.FromSeconds(5),
        UnhealthyThreshold = 1,
        HealthyThreshold = 1,
        ExpectStatus = [new StatusRange(200, 299)],
    };

    /// <summary>Kestrel on 127.0.0.1 with a certificate for <paramref name="dnsName"/> only; records the SNI of each handshake.</summary>
    private sealed class HttpsBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private HttpsBackend(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }
        public List<string?> ServerNames { get; } = [];

        public static async Task<HttpsBackend> StartAsync(TestPki pki, string dnsName)
        {
            var (certPem, keyPem, _) = pki.Issue("backend", dnsName);
            var cert = X509Certificate2.CreateFromPem(certPem, keyPem);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var port = FreePort.Next();
            HttpsBackend? self = null;
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, sni) =>
                {
                    lock (self!.ServerNames) self.ServerNames.Add(sni);
                    return cert;
                },
            })));
            var app = builder.Build();
            app.Run(ctx => ctx.Response.WriteAsync("healthy over " + ctx.Request.Scheme));
            self = new HttpsBackend(app, port);
            await app.StartAsync();
            return self;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    private static PoolSnapshot TlsPool(string serverName, TestPki pki) => new()
    {
        Id = "shop/orders",
        Protocol = PoolProtocol.HTTP1,
        Tls = new BackendTlsSnapshot { CaPem = pki.CaPem, ServerName = serverName },
    };

    /// <summary>One probe of a backend whose certificate names <paramref name="certificateName"/>, from a pool whose serverName is orders.internal.</summary>
    private static async Task<(ProbeResult Result, List<string?> ServerNames, double NameMismatches)> ProbeAsync(string certificateName)
    {
        using var pki = new TestPki();
        await using var backend = await HttpsBackend.StartAsync(pki, certificateName);
        var reporter = BackendTlsReporter.Of(new Prometheus.CollectorRegistry());
        using var transport = new ProbeTransport(TlsPool("orders.internal", pki), Check, reporter);
        using var probe = new HttpHealthProbe(transport, Check, new ProbeTarget("127.0.0.1", backend.Port));
        var result = await probe.ProbeAsync(CancellationToken.None);
        return (result, backend.ServerNames, reporter.Failures.WithLabels("shop/orders", "name_mismatch").Value);
    }

    [Fact]
    public async Task An_https_probe_sends_the_pools_serverName_as_SNI_and_verifies_the_certificate_against_the_pools_CA()
    {
        var (result, serverNames, mismatches) = await ProbeAsync("orders.internal");
        Assert.True(result.Passed, result.Detail);
        Assert.Equal(["orders.internal"], serverNames); // not the IP the probe dialled
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public async Task An_https_probe_fails_and_is_counted_like_traffic_when_the_certificate_names_another_host()
    {
        var (result, serverNames, mismatches) = await ProbeAsync("billing.internal");
        Assert.False(result.Passed);
        Assert.Equal(["orders.internal"], serverNames);
        Assert.Equal(1, mismatches);
    }
}
