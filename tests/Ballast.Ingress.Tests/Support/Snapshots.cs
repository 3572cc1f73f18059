using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>Hand-built snapshots for the data plane's tests (no loader or compiler involved).</summary>
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
}
