using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A folder of <c>samples/</c> served as `./run.sh samples/X` serves it — an ingress in standalone mode reading the
/// folder through the real file provider — but on free ports (<see cref="SampleFolder"/>: only the ports move).
/// </summary>
internal sealed class RunningSample : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<int, int> _ports;

    private RunningSample(string folder, IReadOnlyDictionary<int, int> ports, IngressFixture ingress, FolderSnapshotSource source)
    {
        Folder = folder;
        _ports = ports;
        Ingress = ingress;
        Source = source;
    }

    /// <summary>The copy being served (edit it to change what runs).</summary>
    public string Folder { get; }
    public IngressFixture Ingress { get; }
    public FolderSnapshotSource Source { get; }

    /// <summary>The port that stands in for the sample's <paramref name="samplePort"/>.</summary>
    public int Port(int samplePort) => _ports[samplePort];

    /// <summary>A client for the listener the sample puts on <paramref name="samplePort"/> (8080 by default).</summary>
    public HttpClient Client(int samplePort = 8080) => Ingress.Client(Port(samplePort));

    /// <param name="sample">The folder under <c>samples/</c>, e.g. <c>sticky-cookie</c> or <c>ingress/standalone</c>.</param>
    /// <param name="ports">The sample's port → the test's port; ports not listed stay as they are.</param>
    /// <param name="options">Ingress options (Redis, affinity keys …); the Ingress ports come from <paramref name="ports"/>' 8080 and 8443.</param>
    public static async Task<RunningSample> StartAsync(string sample, IReadOnlyDictionary<int, int> ports, IngressOptions? options = null)
    {
        var folder = SampleFolder.Copy(sample, ports);
        options ??= new IngressOptions();
        options = options with
        {
            ListenerAddress = IPAddress.Loopback,
            Ingress = new Model.Compilation.IngressServing(ports.GetValueOrDefault(8080, 8080), ports.GetValueOrDefault(8443, 8443), UnclassedWithoutDefault: true),
        };
        var ingress = await IngressFixture.StartAsync(options);
        var source = new FolderSnapshotSource(folder, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50),
            ingress.Host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.StartAsync();
        Assert.True(source.LastDiagnostics.All(d => d.Severity != Model.Compilation.Severity.Error),
            $"samples/{sample}: " + string.Join("\n", source.LastDiagnostics));
        return new RunningSample(folder, ports, ingress, source);
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Ingress.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>The three echo backends <c>run.sh</c> starts (echo-1 … echo-3), on free ports; each says who it is in <c>X-Backend</c>.</summary>
internal sealed class EchoBackends : IAsyncDisposable
{
    private readonly HashSet<TestBackend> _stopped = [];

    private EchoBackends(TestBackend[] backends) => All = backends;

    public IReadOnlyList<TestBackend> All { get; }

    /// <summary>Stops echo-<paramref name="number"/> (its port then refuses connections), as killing it in the README does.</summary>
    public async Task StopAsync(int number)
    {
        var backend = All[number - 1];
        if (_stopped.Add(backend)) await backend.DisposeAsync();
    }

    /// <summary>Backends that also hand back the identity headers an auth route forwards (<c>X-User</c>, <c>X-Client</c>) as <c>X-Seen-*</c>.</summary>
    public static async Task<EchoBackends> StartAsync(int count = 3)
    {
        var backends = new TestBackend[count];
        for (var i = 0; i < count; i++)
        {
            var name = $"echo-{i + 1}";
            backends[i] = await TestBackend.StartAsync(name, async ctx =>
            {
                foreach (var header in new[] { "X-User", "X-Client", "X-Forwarded-Prefix" })
                    if (ctx.Request.Headers.TryGetValue(header, out var value)) ctx.Response.Headers["X-Seen-" + header[2..]] = value;
                await ctx.Response.WriteAsync(name);
            });
        }
        return new EchoBackends(backends);
    }

    /// <summary>9001 → echo-1's port, 9002 → echo-2's, 9003 → echo-3's: the ports the samples name.</summary>
    public Dictionary<int, int> Ports() => All.Select((b, i) => (9001 + i, b.Port)).ToDictionary();

    public async ValueTask DisposeAsync()
    {
        foreach (var b in All.Where(b => !_stopped.Contains(b))) await b.DisposeAsync();
    }
}
