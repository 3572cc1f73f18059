using System.Net;
using Ballast.Acme.Tests.Support;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tls.Acme;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Acme.Tests.Listeners;

/// <summary>
/// <c>samples/acme</c> as its README runs it: a standalone ingress on the folder, a local Pebble validating HTTP-01
/// on the sample's HTTP listener, and an HTTPS request answered with the certificate Pebble issued. Only what the
/// test must move is moved: the ports, Pebble's directory URL, and the hostname (one per test on the shared Pebble).
/// </summary>
[Collection(StandalonePebbleCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AcmeSampleTests(StandalonePebble pebble)
{
    [Fact]
    public async Task The_acme_sample_obtains_a_certificate_from_pebble_and_serves_https_with_it()
    {
        var hostname = $"sample{Guid.NewGuid():N}"[..14] + ".ballast.test";
        await pebble.Pebble.AddARecordAsync(hostname);
        await using var echo1 = await TestBackend.StartAsync("echo-1");
        await using var echo2 = await TestBackend.StartAsync("echo-2");
        await using var echo3 = await TestBackend.StartAsync("echo-3");
        var httpsPort = FreePort.Next();
        var folder = SampleFolder.Copy("acme",
            new Dictionary<int, int> { [8080] = pebble.HttpPort, [8443] = httpsPort, [9001] = echo1.Port, [9002] = echo2.Port, [9003] = echo3.Port },
            new Dictionary<string, string> { ["https://127.0.0.1:14000/dir"] = pebble.Pebble.DirectoryUrl.ToString(), ["shop.ballast.test"] = hostname });
        var state = Directory.CreateTempSubdirectory("ballast-acme-sample-state-").FullName;
        try
        {
            await using var host = await IngressHost.StartAsync(new IngressOptions
            {
                AdminPort = 0,
                AdminAddress = IPAddress.Loopback,
                ListenerAddress = IPAddress.Loopback,
                Acme = StandaloneAcme.Options(state, pebble.Pebble.Http) with { Client = AcmeHarness.FastPolls },
            });
            await using var source = new FolderSnapshotSource(folder, host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            await source.StartAsync();
            using var root = await pebble.Pebble.GetRootAsync();

            System.Security.Cryptography.X509Certificates.X509Certificate2? served = null;
            try
            {
                served = await Eventually.GetAsync<System.Security.Cryptography.X509Certificates.X509Certificate2?>(async () =>
                {
                    try { return await TlsProbe.ServedCertificateAsync(httpsPort, hostname, root); }
                    catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or System.Net.Sockets.SocketException) { return null; }
                }, c => c is not null, "the certificate Pebble issued, served on the sample's HTTPS listener", within: TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException e)
            {
                Assert.Fail($"{e.Message}\n{string.Join("\n", source.LastDiagnostics)}\n{string.Join("\n", host.Acme!.Statuses.Select(s => $"{s.Key}: {s.Certificate.Message}"))}\n{pebble.Pebble.Logs}");
            }
            using var certificate = served!;
            // The chain built to Pebble's root (TlsProbe trusts nothing else), for this name, validated over HTTP-01 on the sample's HTTP listener.
            Assert.Equal(hostname, certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false));
            Assert.Contains($"Attempting to validate w/ HTTP: http://{hostname}:{pebble.HttpPort}/.well-known/acme-challenge/", pebble.Pebble.Logs, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(state, recursive: true);
        }
    }
}
