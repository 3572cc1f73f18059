using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Ballast.Acme.Tests.Support;
using Ballast.Testing;
using Xunit.Abstractions;

namespace Ballast.Acme.Tests.Listeners;

/// <summary>
/// Issue 8's ACME proof, standalone: a policy with an ACME listener, a real Pebble without the always-valid
/// switch, its validation authority fetching the HTTP-01 token from the ingress's own HTTP listener.
/// </summary>
[Collection(StandalonePebbleCollection.Name)]
[Trait("Category", "Integration")]
public sealed class StandaloneAcmeTests(StandalonePebble pebble, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_acme_listener_obtains_a_certificate_through_http01_on_the_ingress_serves_it_and_renews_it_before_expiry()
    {
        await using var ingress = await StandaloneIngress.StartAsync(pebble, pebble.HttpPort);
        using var root = await pebble.Pebble.GetRootAsync();

        var ready = await StandaloneIngress.EventuallyAsync(() => Task.FromResult(ingress.Status.Certificate.Ready), Deadline);
        output.WriteLine(ingress.Status.Certificate.Message);
        Assert.True(ready, ingress.Status.Certificate.Message + "\n" + pebble.Pebble.Logs);
        var first = ingress.Status.Certificate;

        // Pebble's VA fetched the token from the ingress's HTTP listener (the only listener on its httpPort) and
        // found the key authorization there: the authorization turned valid by the completed HTTP-01 challenge.
        var logs = pebble.Pebble.Logs;
        Assert.Contains($"Attempting to validate w/ HTTP: http://{ingress.Hostname}:{pebble.HttpPort}/.well-known/acme-challenge/", logs);
        Assert.Contains("set VALID by completed challenge", logs);
        Assert.Empty(ingress.Acme.Challenges); // tokens withdrawn once the order is done

        // A real TLS client sees the Pebble-issued certificate (chain to Pebble's root, SNI = the hostname).
        X509Certificate2? served = null;
        Assert.True(await StandaloneIngress.EventuallyAsync(async () =>
        {
            served = await TryServedAsync(ingress, root);
            return served?.SerialNumber == first.SerialNumber;
        }, Deadline), $"served {served?.SerialNumber}, issued {first.SerialNumber}");
        using (var https = HttpsClient(ingress, root))
        {
            Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/")).StatusCode);
        }
        Assert.Equal(1, ingress.Backend.Requests);

        // The account key and the certificate are kept under --state-dir/acme.
        Assert.Single(Directory.GetFiles(Path.Combine(ingress.StateDirectory, "acme", "accounts"), "*.key"));
        Assert.True(File.Exists(Path.Combine(ingress.StateDirectory, "acme", "certificates", "default_site_https.crt")));

        // Renewal: move the managers' clock past two thirds of the lifetime; the listener then serves the new one.
        ingress.Clock.SetUtcNow(first.RenewAt!.Value + TimeSpan.FromSeconds(1));
        Assert.True(await StandaloneIngress.EventuallyAsync(async () =>
        {
            served = await TryServedAsync(ingress, root);
            return served is not null && served.SerialNumber != first.SerialNumber && served.SerialNumber == ingress.Status.Certificate.SerialNumber;
        }, Deadline), ingress.Status.Certificate.Message);
        Assert.True(ingress.Clock.GetUtcNow() < first.NotAfter, "renewed before the old certificate expired");
        // Pebble dates certificates by the real clock: the new one ends no earlier than the old (same second possible).
        Assert.True(ingress.Status.Certificate.NotAfter >= first.NotAfter);

        // Admin view and metrics show the renewed certificate.
        using var admin = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/certificates"));
        var entry = admin.RootElement.GetProperty("certificates").EnumerateArray().Single();
        Assert.Equal("default/site/https", entry.GetProperty("listener").GetString());
        Assert.Equal(ingress.Hostname, entry.GetProperty("hostnames")[0].GetString());
        Assert.True(entry.GetProperty("ready").GetBoolean());
        Assert.Equal(ingress.Status.Certificate.NotAfter, entry.GetProperty("notAfter").GetDateTimeOffset());
        // prometheus-net reads observable gauges on its own schedule, not per scrape: poll until the renewed value shows.
        // The status is read at every poll: the managers' clock stands still past the first certificate's renewal
        // time while Pebble dates certificates by the real one, so a renewed certificate can come due again at once.
        var series = $"ballast_certificate_expiry_timestamp_seconds{{certificate=\"default_site_https\",hostnames=\"{ingress.Hostname}\"}}";
        var metrics = "";
        Assert.True(await StandaloneIngress.EventuallyAsync(async () =>
            PrometheusScrape.Value(metrics = await ingress.Admin.GetStringAsync("/metrics"), series) is { } shown
            && shown == ingress.Status.Certificate.NotAfter!.Value.ToUnixTimeSeconds(), Deadline),
            string.Join("\n", metrics.Split('\n').Where(l => l.Contains("ballast_certificate"))));
    }

    [Fact]
    public async Task An_unreachable_ingress_ends_not_ready_with_pebbles_error_on_admin_certificates_and_a_later_retry_succeeds()
    {
        // The HTTP listener is elsewhere: nothing answers on Pebble's httpPort.
        var elsewhere = FreePort.Next();
        await using var ingress = await StandaloneIngress.StartAsync(pebble, elsewhere);

        Assert.True(await StandaloneIngress.EventuallyAsync(() => Task.FromResult(ingress.Status.Certificate.ConsecutiveFailures > 0), Deadline),
            ingress.Status.Certificate.Message);
        using (var admin = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/certificates")))
        {
            var entry = admin.RootElement.GetProperty("certificates").EnumerateArray().Single();
            var message = entry.GetProperty("message").GetString()!;
            output.WriteLine(message);
            Assert.False(entry.GetProperty("ready").GetBoolean());
            Assert.Contains("urn:ietf:params:acme:error:connection", message);
            Assert.Contains(ingress.Hostname, message);
            Assert.Contains("connection refused", message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("notAfter").ValueKind);
        }
        var metrics = await ingress.Admin.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusScrape.Value(metrics, $"ballast_certificate_renewal_failures_total{{host=\"{ingress.Hostname}\"}}"));

        // Fix the configuration (the HTTP listener moves to Pebble's httpPort), then let the back-off pass.
        ingress.WriteConfig(pebble.HttpPort);
        Assert.True(await StandaloneIngress.EventuallyAsync(() => Task.FromResult(ingress.Host.CurrentSnapshot.Listeners.Any(l => l.Port == pebble.HttpPort) && ingress.Host.ListenersMatch()), Deadline));
        Assert.False(ingress.Status.Certificate.Ready); // nothing retries before the back-off ends
        ingress.Clock.SetUtcNow(ingress.Status.Certificate.NextAttemptAt!.Value);

        Assert.True(await StandaloneIngress.EventuallyAsync(() => Task.FromResult(ingress.Status.Certificate.Ready), Deadline),
            ingress.Status.Certificate.Message);
        using var root = await pebble.Pebble.GetRootAsync();
        Assert.True(await StandaloneIngress.EventuallyAsync(async () =>
            (await TryServedAsync(ingress, root))?.SerialNumber == ingress.Status.Certificate.SerialNumber, Deadline));
    }

    private static async Task<X509Certificate2?> TryServedAsync(StandaloneIngress ingress, X509Certificate2 root)
    {
        try
        {
            return await TlsProbe.ServedCertificateAsync(ingress.HttpsPort, ingress.Hostname, root);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            return null; // not bound yet, or still without a certificate
        }
    }

    private static HttpClient HttpsClient(StandaloneIngress ingress, X509Certificate2 root)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, ingress.HttpsPort, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { CertificateChainPolicy = policy },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{ingress.Hostname}:{ingress.HttpsPort}") };
    }
}
