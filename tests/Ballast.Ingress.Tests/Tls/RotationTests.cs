using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;
using static Ballast.Ingress.Tests.Tls.TlsSnapshots;

namespace Ballast.Ingress.Tests.Tls;

[Trait("Category", "Integration")]
public sealed class RotationTests
{
    [Fact]
    public async Task Replacing_a_certificate_keeps_32_open_connections_serving_and_new_handshakes_get_the_new_one()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var oldCert = pki.Certificate("old", "site.test");
        var newCert = pki.Certificate("new", "site.test");
        await ingress.ApplyAsync(Of(1, [HttpsListener(port, TlsWith(oldCert), Route("r", ("p", 1)))], Pool("p", backend)));

        // 32 clients, one keep-alive connection each; every handshake's certificate is recorded per client.
        const int clients = 32;
        var seen = Enumerable.Range(0, clients).Select(_ => new ConcurrentQueue<string>()).ToArray();
        var http = Enumerable.Range(0, clients).Select(i => HttpsClient(pki, port, "site.test", HttpVersion.Version11,
            cert => seen[i].Enqueue(cert!.Subject))).ToArray();
        var failures = 0;
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var rotated = new TaskCompletionSource();
        var afterRotation = new int[clients];

        async Task RunAsync(int i)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http[i].GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref requests);
                if (rotated.Task.IsCompleted) afterRotation[i]++;
            }
        }

        var load = Enumerable.Range(0, clients).Select(i => Task.Run(() => RunAsync(i))).ToArray();
        await Eventually.True(() => seen.All(s => !s.IsEmpty) && Volatile.Read(ref requests) > clients * 5, "every client served a few times");

        await ingress.ApplyAsync(Of(2, [HttpsListener(port, TlsWith(newCert), Route("r", ("p", 1)))], Pool("p", backend)));
        rotated.SetResult();
        await Eventually.True(() => afterRotation.All(n => n >= 5), "five requests per client after the rotation");

        var (fresh, stream) = await pki.HandshakeAsync(port, "site.test");
        await stream.DisposeAsync();
        await stop.CancelAsync();
        await Task.WhenAll(load);
        foreach (var c in http) c.Dispose();

        Assert.Equal(0, failures);
        // Every client kept its one connection (a single handshake, with the old certificate) through the rotation.
        Assert.All(seen, s => Assert.Equal(["CN=old"], s.ToArray()));
        Assert.Equal("CN=new", fresh.Subject);
    }
}
