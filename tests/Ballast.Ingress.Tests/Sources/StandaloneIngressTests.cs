using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Compilation;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// Standalone mode serving Ingress objects from a folder (with the Services and EndpointSlices they name) on the
/// Ingress HTTP port; an unsupported annotation is a warning and a metric, a malformed one rejects the change
/// with file:line and the annotation while the last good configuration keeps serving.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StandaloneIngressTests
{
    private static string Folder(int backendPort, string annotations) => $$"""
        apiVersion: v1
        kind: Service
        metadata: { name: web, namespace: shop }
        spec: { ports: [ { name: http, port: 80 } ] }
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
        addressType: IPv4
        ports: [ { name: http, port: {{backendPort}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ] } ]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: shop
          annotations:
        {{annotations}}
        spec:
          rules:
            - host: web.example.com
              http:
                paths:
                  - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
        """;

    [Fact]
    public async Task Serves_the_folders_Ingress_warns_on_unsupported_annotations_and_keeps_serving_through_a_malformed_one()
    {
        await using var backend = await TestBackend.StartAsync("web");
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { Ingress = new IngressServing(port, FreePort.Next(), UnclassedWithoutDefault: true) });
        var dir = Directory.CreateTempSubdirectory("ballast-ingress-").FullName;
        try
        {
            var file = Path.Combine(dir, "web.yaml");
            File.WriteAllText(file, Folder(backend.Port, """
                    nginx.ingress.kubernetes.io/configuration-snippet: "more_set_headers 'X: y';"
                    nginx.ingress.kubernetes.io/upstream-vhost: internal.web
            """));
            await using var source = new FolderSnapshotSource(dir, ingress.Host, new FakeTimeProvider(), TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            await source.StartAsync();

            var warning = Assert.Single(source.LastDiagnostics);
            Assert.Equal(Severity.Warning, warning.Severity);
            Assert.StartsWith("web.yaml:19:", warning.ToString()); // the annotation's own line
            Assert.Contains("Ingress shop/web: metadata.annotations[\"nginx.ingress.kubernetes.io/configuration-snippet\"]: not applied", warning.ToString());

            var client = ingress.Client(port);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/hello") { Headers = { Host = "web.example.com" } };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("web", await response.Content.ReadAsStringAsync());

            var metrics = await ingress.Admin.GetStringAsync("/metrics");
            Assert.Equal(1, PrometheusScrape.Value(metrics,
                "ballast_unsupported_annotations{ingress=\"shop/web\",annotation=\"nginx.ingress.kubernetes.io/configuration-snippet\"}"));

            File.WriteAllText(file, Folder(backend.Port, """
                    nginx.ingress.kubernetes.io/limit-rps: fast
            """));
            Assert.False(await source.ReloadAsync());
            var error = Assert.Single(source.LastDiagnostics, d => d.Severity == Severity.Error);
            Assert.Matches(@"^web\.yaml:19:\d+: Ingress shop/web: metadata\.annotations\[""nginx\.ingress\.kubernetes\.io/limit-rps""\]: ""fast"" is not a number$", error.ToString());
            using var again = new HttpRequestMessage(HttpMethod.Get, "/hello") { Headers = { Host = "web.example.com" } };
            using var stillServed = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.OK, stillServed.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
