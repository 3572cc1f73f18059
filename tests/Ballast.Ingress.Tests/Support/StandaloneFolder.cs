using Ballast.Ingress.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Standalone mode for a test: a temporary folder of YAML written as users write it (by default one BackendPool
/// <c>api</c> with one endpoint and one LoadBalancerPolicy <c>shop</c>), loaded into an ingress by the real file
/// provider; disposing it stops the source and removes the folder.
/// </summary>
public sealed class StandaloneFolder : IAsyncDisposable
{
    private StandaloneFolder(string path, FolderSnapshotSource source)
    {
        Path = path;
        Source = source;
    }

    public string Path { get; }
    public FolderSnapshotSource Source { get; }

    /// <param name="policySpec">The policy's <c>spec:</c> body, indented by two spaces (listeners, routes …).</param>
    /// <param name="files">Other files beside the YAML (name → content), e.g. a keys file.</param>
    public static StandaloneFolder Create(IngressFixture ingress, int backendPort, string policySpec, IReadOnlyDictionary<string, string>? files = null) =>
        WithFiles(ingress, new Dictionary<string, string>(files ?? new Dictionary<string, string>())
        {
            ["config.yaml"] = $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api }
            spec:
              endpoints: [ { address: "127.0.0.1:{{backendPort}}" } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: shop }
            spec:

            """ + policySpec,
        });

    /// <summary>A folder holding exactly <paramref name="files"/> (name → content: YAML, keys files …).</summary>
    public static StandaloneFolder WithFiles(IngressFixture ingress, IReadOnlyDictionary<string, string> files)
    {
        var path = Directory.CreateTempSubdirectory("ballast-standalone-").FullName;
        foreach (var (name, content) in files) File.WriteAllText(System.IO.Path.Combine(path, name), content);
        var source = new FolderSnapshotSource(path, ingress.Host, new FakeTimeProvider(), TimeSpan.FromMilliseconds(100),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        return new StandaloneFolder(path, source);
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        Directory.Delete(Path, recursive: true);
    }
}
