using System.Net;
using Ballast.Acme.Listeners;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tls.Acme;
using Ballast.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// A standalone ingress (`ballast run --config DIR --state-dir DIR` in-process): a folder with one policy whose
/// HTTPS listener has <c>tls.acme</c> pointing at Pebble, an HTTP listener, and a backend. The managers' clock is
/// a FakeTimeProvider (renewal and back-off move when the test says); everything else runs on the real clock.
/// </summary>
internal sealed class StandaloneIngress : IAsyncDisposable
{
    private readonly StandalonePebble _pebble;
    private readonly string _root;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public string Hostname { get; } = $"s{Guid.NewGuid():N}"[..12] + ".ballast.test";
    public int HttpsPort { get; } = FreePort.Next();
    public string ConfigDirectory => Path.Combine(_root, "config");
    public string StateDirectory => Path.Combine(_root, "state");
    public IngressHost Host { get; private set; } = null!;
    public FolderSnapshotSource Source { get; private set; } = null!;
    public TestBackend Backend { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public CertificateSupervisor Acme => Host.Acme!;

    private StandaloneIngress(StandalonePebble pebble)
    {
        _pebble = pebble;
        _root = Directory.CreateTempSubdirectory("ballast-standalone-acme-").FullName;
        Directory.CreateDirectory(ConfigDirectory);
    }

    /// <param name="httpPort">The ingress's HTTP listener: Pebble's httpPort to be reachable, another port not to be.</param>
    public static async Task<StandaloneIngress> StartAsync(StandalonePebble pebble, int httpPort)
    {
        var ingress = new StandaloneIngress(pebble);
        try
        {
            await pebble.Pebble.AddARecordAsync(ingress.Hostname);
            ingress.Backend = await TestBackend.StartAsync("web");
            ingress.WriteConfig(httpPort);
            ingress.Host = await IngressHost.StartAsync(new IngressOptions
            {
                AdminPort = 0,
                AdminAddress = IPAddress.Loopback,
                ListenerAddress = IPAddress.Loopback,
                Acme = StandaloneAcme.Options(ingress.StateDirectory, pebble.Pebble.Http) with
                {
                    ManagerTime = ingress.Clock,
                    Client = AcmeHarness.FastPolls,
                    Seed = 8,
                },
            });
            ingress.Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ingress.Host.AdminPort}") };
            ingress.Source = new FolderSnapshotSource(ingress.ConfigDirectory, ingress.Host, TimeProvider.System,
                TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            await ingress.Source.StartAsync();
            return ingress;
        }
        catch
        {
            await ingress.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes the policy (and pool) with the HTTP listener on <paramref name="httpPort"/>.</summary>
    public void WriteConfig(int httpPort)
    {
        var yaml = $"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: {"{"} name: site {"}"}
            spec:
              listeners:
                - {"{"} name: http, port: {httpPort}, protocol: HTTP {"}"}
                - name: https
                  port: {HttpsPort}
                  protocol: HTTPS
                  hostnames: [{Hostname}]
                  tls:
                    acme: {"{"} directory: "{_pebble.Pebble.DirectoryUrl}", email: ops@ballast.test {"}"}
              routes:
                - name: all
                  match: {"{"} pathPrefix: / {"}"}
                  backends: [ {"{"} pool: web {"}"} ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: {"{"} name: web {"}"}
            spec:
              endpoints: [ {"{"} address: "{Backend.Address}" {"}"} ]
            """;
        var path = Path.Combine(ConfigDirectory, "site.yaml");
        File.WriteAllText(path + ".tmp", yaml);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The one ACME listener's status (the policy has exactly one).</summary>
    public AcmeListenerStatus Status => Acme.Statuses.Single();

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (real sockets and processes are involved).</summary>
    /// <summary>True once <paramref name="condition"/> holds, false when <paramref name="timeout"/> passes first
    /// (callers assert with their own message); the polling is <see cref="Eventually"/>'s.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        try
        {
            await Eventually.True(condition, "the condition", timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (Source is not null) await Source.DisposeAsync();
        if (Host is not null) await Host.DisposeAsync();
        if (Backend is not null) await Backend.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
