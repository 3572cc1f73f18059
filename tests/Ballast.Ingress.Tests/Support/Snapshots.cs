using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Model.Yaml;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Snapshots for the data plane's tests: hand-built (no loader or compiler involved), or <see cref="FromYaml"/>
/// compiled from the YAML users write.
/// </summary>
public static class Snapshots
{
    public static PoolSnapshot Pool(string id, params TestBackend[] backends) =>
        Pool(id, PoolProtocol.HTTP1, backends.Select(b => new EndpointSnapshot { Host = "127.0.0.1", Port = b.Port }).ToArray());

    public static PoolSnapshot Pool(string id, PoolProtocol protocol, params EndpointSnapshot[] endpoints) => new()
    {
        Id = id,
        Protocol = protocol,
        Endpoints = [.. endpoints],
    };

    public static EndpointSnapshot Endpoint(TestBackend backend, bool backup = false, bool draining = false, int weight = 1) =>
        new() { Host = "127.0.0.1", Port = backend.Port, Backup = backup, Draining = draining, Weight = weight };

    public static RouteSnapshot Route(string id, params (string Pool, int Weight)[] backends) => new()
    {
        Id = id,
        Backends = [.. backends.Select(b => new BackendSnapshot(b.Pool, b.Weight))],
    };

    public static ListenerSnapshot Listener(int port, params RouteSnapshot[] routes) => new()
    {
        Name = "http-" + port,
        Address = "127.0.0.1",
        Port = port,
        Kind = ListenerKind.Http,
        Routes = [.. routes],
    };

    public static Snapshot Of(long version, ImmutableArray<ListenerSnapshot> listeners, params PoolSnapshot[] pools) => new()
    {
        Version = version,
        Listeners = listeners,
        Pools = [.. pools],
    };

    /// <summary>BackendPools and LoadBalancerPolicies as users write them, compiled; any diagnostic fails the test.</summary>
    public static Snapshot FromYaml(string yaml, long version = 0)
    {
        var loaded = ResourceLoader.LoadText(yaml, "test.yaml");
        Assert.Empty(loaded.Diagnostics);
        var compiled = Compiler.Compile(new CompilerInput { Policies = loaded.Policies, Pools = loaded.Pools, Version = version });
        Assert.Empty(compiled.Diagnostics);
        return compiled.Snapshot;
    }
}
