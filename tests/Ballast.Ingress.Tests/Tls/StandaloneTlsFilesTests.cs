using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Tls;

[Trait("Category", "Integration")]
public sealed class StandaloneTlsFilesTests
{
    [Fact]
    public async Task Certificate_files_outside_the_folder_are_served_and_replacing_them_rotates_the_certificate()
    {
        using var pki = new TestPki();
        await using var backend = await TestBackend.StartAsync("a");
        var root = Directory.CreateTempSubdirectory("ballast-tls-");
        try
        {
            var config = Directory.CreateDirectory(Path.Combine(root.FullName, "config"));
            var certs = Directory.CreateDirectory(Path.Combine(root.FullName, "certs"));
            var certFile = Path.Combine(certs.FullName, "site.crt");
            var keyFile = Path.Combine(certs.FullName, "site.key");
            void WriteCertificate(string subject)
            {
                var (cert, key, _) = pki.Issue(subject, "site.test");
                File.WriteAllText(keyFile + ".tmp", key);
                File.Move(keyFile + ".tmp", keyFile, overwrite: true);
                File.WriteAllText(certFile + ".tmp", cert);
                File.Move(certFile + ".tmp", certFile, overwrite: true);
            }
            WriteCertificate("first");
            var port = FreePort.Next();
            File.WriteAllText(Path.Combine(config.FullName, "site.yaml"), $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: web }
                spec:
                  endpoints: [ { address: "127.0.0.1:{{backend.Port}}" } ]
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: site }
                spec:
                  listeners:
                    - name: https
                      port: {{port}}
                      protocol: HTTPS
                      address: 127.0.0.1
                      tls: { certificates: [ { certificateFile: "{{certFile}}", keyFile: "{{keyFile}}" } ] }
                  routes:
                    - backends: [ { pool: web } ]
                """);

            await using var ingress = await IngressFixture.StartAsync();
            await using var source = new FolderSnapshotSource(config.FullName, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(100),
                ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
            await source.StartAsync();
            Assert.Empty(source.LastDiagnostics.Where(d => d.Severity == Model.Compilation.Severity.Error));

            async Task<string> ServedSubject()
            {
                var (cert, stream) = await pki.HandshakeAsync(port, "site.test");
                await stream.DisposeAsync();
                return cert.Subject;
            }
            Assert.Equal("CN=first", await ServedSubject());

            WriteCertificate("second");
            await Eventually.GetAsync(ServedSubject, s => s == "CN=second", "the rewritten certificate to be served");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
