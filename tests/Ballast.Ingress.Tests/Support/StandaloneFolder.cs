using Ballast.Ingress.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Standalone mode for a test: a temporary folder of files written as users write them (Ballast's resources, Gateway
/// API objects from <see cref="GatewayApiYaml"/>, keys files …), loaded into an ingress by the real file provider;
/// disposing it stops the source and removes the folder. A test edits a file and calls <c>Source.ReloadAsync()</c>
/// to reload (the source's debounce runs on a fake clock, so nothing reloads on its own).
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

    /// <summary>Writes the files (name → content) and loads them; fails the test with the diagnostics when they do not load.</summary>
    public static async Task<StandaloneFolder> LoadAsync(IngressFixture ingress, params (string Name, string Content)[] files)
    {
        var path = Directory.CreateTempSubdirectory("ballast-standalone-").FullName;
        foreach (var (name, content) in files) File.WriteAllText(System.IO.Path.Combine(path, name), content);
        var source = new FolderSnapshotSource(path, ingress.Host, new FakeTimeProvider(), TimeSpan.FromMilliseconds(100),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        var folder = new StandaloneFolder(path, source);
        if (!await source.ReloadAsync())
        {
            var diagnostics = string.Join("\n", source.LastDiagnostics);
            await folder.DisposeAsync();
            Assert.Fail("the folder did not load:\n" + diagnostics);
        }
        return folder;
    }

    /// <summary><see cref="PoolAndPolicy"/> as <c>config.yaml</c>, beside <paramref name="files"/> (e.g. a keys file), loaded.</summary>
    public static Task<StandaloneFolder> LoadAsync(IngressFixture ingress, int backendPort, string policySpec, params (string Name, string Content)[] files) =>
        LoadAsync(ingress, [("config.yaml", PoolAndPolicy(backendPort, policySpec)), .. files]);

    /// <summary>One BackendPool <c>api</c> with one endpoint, 127.0.0.1:<paramref name="backendPort"/>, and one LoadBalancerPolicy <c>shop</c>.</summary>
    /// <param name="policySpec">The policy's <c>spec:</c> body, indented by two spaces (listeners, routes …).</param>
    public static string PoolAndPolicy(int backendPort, string policySpec) => $$"""
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

        """ + policySpec;

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        Directory.Delete(Path, recursive: true);
    }
}
