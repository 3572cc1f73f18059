using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;
using static Ballast.Ingress.Tests.Tls.TlsSnapshots;

namespace Ballast.Ingress.Tests.Tls;

[Trait("Category", "Integration")]
public sealed class TlsTerminationTests
{
    [Fact]
    public async Task Sni_selects_among_three_certificates_the_wildcard_and_the_default()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var first = pki.Certificate("first", "first.test");
        var second = pki.Certificate("second", "second.test");
        var wildcard = pki.Certificate("wildcard", "*.wild.test");
        await ingress.ApplyAsync(Of(1, [HttpsListener(port, TlsWith(first, second, wildcard), Route("r", ("p", 1)))], Pool("p", backend)));

        async Task<string> SubjectFor(string? sni)
        {
            var (cert, stream) = await pki.HandshakeAsync(port, sni);
            await stream.DisposeAsync();
            return cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
        }

        Assert.Equal("first", await SubjectFor("first.test"));
        Assert.Equal("second", await SubjectFor("second.test"));
        Assert.Equal("second", await SubjectFor("SECOND.test"));
        Assert.Equal("wildcard", await SubjectFor("api.wild.test"));
        // One label only, as certificate wildcards mean: a deeper name gets the default.
        Assert.Equal("first", await SubjectFor("a.b.wild.test"));
        Assert.Equal("first", await SubjectFor("unknown.test"));
        Assert.Equal("first", await SubjectFor(null));

        using var client = HttpsClient(pki, port, "second.test", HttpVersion.Version11);
        var response = await client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task Http2_is_negotiated_by_alpn_and_http11_stays_available()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a", ctx => ctx.Response.WriteAsync(ctx.Request.Headers["X-Forwarded-Proto"].ToString()));
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [HttpsListener(port, TlsWith(pki.Certificate("site", "site.test")), Route("r", ("p", 1)))], Pool("p", backend)));

        var (_, h2Stream) = await pki.HandshakeAsync(port, "site.test", SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);
        Assert.Equal(SslApplicationProtocol.Http2, h2Stream.NegotiatedApplicationProtocol);
        Assert.True(h2Stream.SslProtocol is System.Security.Authentication.SslProtocols.Tls13 or System.Security.Authentication.SslProtocols.Tls12);
        await h2Stream.DisposeAsync();

        using var h2 = HttpsClient(pki, port, "site.test", HttpVersion.Version20);
        using var h1 = HttpsClient(pki, port, "site.test", HttpVersion.Version11);
        var r2 = await h2.GetAsync("/");
        var r1 = await h1.GetAsync("/");
        Assert.Equal(HttpVersion.Version20, r2.Version);
        Assert.Equal(HttpVersion.Version11, r1.Version);
        Assert.Equal("https", await r2.Content.ReadAsStringAsync());

        var metrics = await ingress.MetricsAsync();
        Assert.True(PrometheusText.Value(metrics, $"ballast_tls_handshakes_total{{listener=\"https-{port}\",version=\"TLSv1.3\",alpn=\"h2\"}}") >= 2);
        Assert.True(PrometheusText.Value(metrics, $"ballast_tls_handshakes_total{{listener=\"https-{port}\",version=\"TLSv1.3\",alpn=\"http/1.1\"}}") >= 1);
        Assert.True(PrometheusText.Value(metrics, $"ballast_tls_certificate_expiry_seconds{{listener=\"https-{port}\",source=\"test site\",subject=\"CN=site\"}}") > 29 * 86400);
    }

    [Fact]
    public async Task Tls11_is_refused_and_tls12_accepted_by_openssl_s_client()
    {
        var openssl = ExternalTool.Require("openssl");
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Of(1, [HttpsListener(port, TlsWith(pki.Certificate("site", "site.test")), Route("r", ("p", 1)))], Pool("p", backend)));

        // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the refusal is the server's.
        var old = await SClientAsync(openssl, port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        var tls12 = await SClientAsync(openssl, port, "-tls1_2");
        var tls13 = await SClientAsync(openssl, port, "-tls1_3");

        Assert.NotEqual(0, old.ExitCode);
        // The client did send its TLS 1.1 hello (CONNECTED) and the server refused it before sending a certificate.
        Assert.Contains("CONNECTED", old.Output);
        Assert.Contains("no peer certificate available", old.Output);
        Assert.Contains("Cipher is (NONE)", old.Output);
        Assert.Equal(0, tls12.ExitCode);
        Assert.Contains("TLSv1.2", tls12.Output);
        Assert.Equal(0, tls13.ExitCode);
        Assert.Contains("TLSv1.3", tls13.Output);
        var failures = PrometheusText.Value(await ingress.MetricsAsync(), $"ballast_tls_handshake_failures_total{{listener=\"https-{port}\",reason=\"protocol\"}}");
        Assert.Equal(1, failures);
    }

    private static async Task<(int ExitCode, string Output)> SClientAsync(string openssl, int port, params string[] args)
    {
        var psi = new ProcessStartInfo(openssl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "site.test", .. args]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close(); // EOF: s_client quits after the handshake
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Http_redirects_to_https_for_the_listener_hostnames_on_the_port_clients_use_and_https_responses_carry_hsts()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var httpPort = FreePort.Next();
        var httpsPort = FreePort.Next();
        var tls = TlsWith(pki.Certificate("site", "site.test")) with { RedirectHttp = true, Hsts = TimeSpan.FromDays(365), Hostnames = ["site.test"] };
        await ingress.ApplyAsync(Of(1,
            [Listener(httpPort, Route("plain", ("p", 1))), HttpsListener(httpsPort, tls, Route("secure", ("p", 1)))],
            Pool("p", backend)));

        var http = ingress.Client(httpPort);
        using var redirected = new HttpRequestMessage(HttpMethod.Post, "/cart?id=7") { Headers = { Host = "site.test" } };
        var redirect = await http.SendAsync(redirected);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "other.test" } };
        var notRedirected = await http.SendAsync(other);
        using var https = HttpsClient(pki, httpsPort, "site.test", HttpVersion.Version11);
        var secure = await https.GetAsync("/");

        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.Equal($"https://site.test:{httpsPort}/cart?id=7", redirect.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, notRedirected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", string.Join(",", secure.Headers.GetValues("Strict-Transport-Security")));
        Assert.False(notRedirected.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(2, backend.Requests);

        // Behind the ingress Service clients reach the HTTPS listener on 443, not on its container port: Location says so.
        await ingress.ApplyAsync(Of(2,
            [Listener(httpPort, Route("plain", ("p", 1))), HttpsListener(httpsPort, tls, Route("secure", ("p", 1))) with { PublicPort = 443 }],
            Pool("p", backend)));
        using var behindService = new HttpRequestMessage(HttpMethod.Get, "/cart?id=7") { Headers = { Host = "site.test" } };
        Assert.Equal("https://site.test/cart?id=7", (await http.SendAsync(behindService)).Headers.Location?.ToString());
    }

    [Fact]
    public async Task Acme_challenge_tokens_in_the_snapshot_are_answered_on_http_listeners_before_routing_and_redirect_and_unknown_tokens_get_404()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var httpPort = FreePort.Next();
        var httpsPort = FreePort.Next();
        var tls = TlsWith(pki.Certificate("site", "site.test")) with { RedirectHttp = true, Hostnames = ["site.test"] };
        // The HTTP listener has a catch-all route: a challenge path must still never reach the backend.
        var snapshot = Of(1, [Listener(httpPort, Route("plain", ("p", 1))), HttpsListener(httpsPort, tls, Route("secure", ("p", 1)))], Pool("p", backend))
            with
        { AcmeChallenges = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("tok-1", "tok-1.thumb") };
        await ingress.ApplyAsync(snapshot);

        var http = ingress.Client(httpPort);
        var answer = await http.GetAsync("/.well-known/acme-challenge/tok-1");
        var unknown = await http.GetAsync("/.well-known/acme-challenge/tok-2");
        // A host the redirect does not cover is routed to the backend as usual.
        var routed = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/other") { Headers = { Host = "other.test" } });
        await ingress.ApplyAsync(snapshot with { Version = 2, AcmeChallenges = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty });
        var withdrawn = await http.GetAsync("/.well-known/acme-challenge/tok-1");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("tok-1.thumb", await answer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withdrawn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal(1, backend.Requests);
    }
}
