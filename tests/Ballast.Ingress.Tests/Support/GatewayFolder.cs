using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Gateway API objects as users write them, in a temporary folder loaded into an ingress by the real file provider
/// (standalone mode), with the YAML pieces the tests share: Ballast's GatewayClass, a Gateway <c>gw</c> bound to
/// 127.0.0.1, and Services with the EndpointSlices that stand for a cluster's.
/// </summary>
public sealed class GatewayFolder : IAsyncDisposable
{
    private GatewayFolder(string path, FolderSnapshotSource source)
    {
        Path = path;
        Source = source;
    }

    public string Path { get; }
    public FolderSnapshotSource Source { get; }

    /// <summary>Ballast's GatewayClass <c>ballast</c> and the Gateway <c>gw</c> of that class on 127.0.0.1 with these listeners.</summary>
    /// <param name="listeners">The listeners, one YAML flow mapping each (<c>{ name: http, port: 8080, protocol: HTTP }</c>).</param>
    public static string Gateway(params string[] listeners) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: { name: ballast }
        spec: { controllerName: ballast.dev/gateway-controller }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: gw }
        spec:
          gatewayClassName: ballast
          addresses: [ { type: IPAddress, value: 127.0.0.1 } ]
          listeners:
        {{string.Join("\n", listeners.Select(l => "    - " + l))}}

        """;

    /// <summary>A Service (port 8080, named http) whose EndpointSlices point at each of <paramref name="ports"/> on 127.0.0.1.</summary>
    public static string Service(string ns, string name, params int[] ports) => $$"""
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: {{name}}, namespace: {{ns}} }
        spec: { ports: [ { name: http, port: 8080 } ] }

        """ + string.Concat(ports.Select((port, i) => $$"""
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: {{name}}-{{i}}, namespace: {{ns}}, labels: { kubernetes.io/service-name: {{name}} } }
        ports: [ { name: http, port: {{port}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ] } ]

        """));

    /// <summary>Writes the files (name → YAML) and loads them; fails the test with the diagnostics when they do not load.</summary>
    public static async Task<GatewayFolder> LoadAsync(IngressFixture ingress, params (string Name, string Yaml)[] files)
    {
        var path = Directory.CreateTempSubdirectory("ballast-gateway-").FullName;
        foreach (var (name, yaml) in files) File.WriteAllText(System.IO.Path.Combine(path, name), yaml);
        var source = new FolderSnapshotSource(path, ingress.Host, new FakeTimeProvider(), TimeSpan.FromMilliseconds(100),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        var folder = new GatewayFolder(path, source);
        if (!await source.ReloadAsync())
        {
            var diagnostics = string.Join("\n", source.LastDiagnostics);
            await folder.DisposeAsync();
            Assert.Fail(diagnostics);
        }
        return folder;
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        Directory.Delete(Path, recursive: true);
    }
}
