using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Ingress.Tests.Tls;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;
using static Ballast.Ingress.Tests.Tls.TlsSnapshots;

namespace Ballast.Ingress.Tests.AccessLog;

[Trait("Category", "Integration")]
public sealed class AccessLogTlsTests
{
    [Fact]
    public async Task An_https_request_logs_its_tls_version_cipher_and_sni()
    {
        using var files = new AccessLogFiles();
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var log = new AccessLogSnapshot { File = files.File };
        await ingress.ApplyAsync(Of(1, [HttpsListener(port, TlsWith(pki.Certificate("site", "site.test")), Route("r", ("p", 1)) with { AccessLog = log })],
            Pool("p", backend)));

        using var client = HttpsClient(pki, port, "site.test", HttpVersion.Version20);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/secure")).StatusCode);
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 1);

        var line = AccessLogFiles.Json(Assert.Single(files.Lines()));
        Assert.Equal("https", line.GetProperty("scheme").GetString());
        Assert.Equal("HTTP/2", line.GetProperty("protocol").GetString());
        Assert.Equal("TLSv1.3", line.GetProperty("tls_version").GetString());
        Assert.StartsWith("TLS_AES_", line.GetProperty("tls_cipher").GetString());
        Assert.Equal("site.test", line.GetProperty("tls_sni").GetString());
    }
}
