using System.Collections.Frozen;
using Ballast.Ingress.Routing;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// Everything the hot path reads for one snapshot: the router of each listener (by local port) and the pools.
/// Immutable once built; <see cref="DataPlane"/> swaps a whole new one in with a single reference write, and a
/// request keeps the state it started with.
/// </summary>
public sealed class DataPlaneState
{
    public DataPlaneState(Snapshot snapshot, FrozenDictionary<int, ListenerRouter> routers, FrozenDictionary<string, PoolRuntime> pools)
    {
        Snapshot = snapshot;
        Routers = routers;
        Pools = pools;
    }

    public Snapshot Snapshot { get; }
    /// <summary>HTTP listeners by port (a listener is one port; several addresses on one port are not supported yet).</summary>
    public FrozenDictionary<int, ListenerRouter> Routers { get; }
    public FrozenDictionary<string, PoolRuntime> Pools { get; }

    public static DataPlaneState Empty { get; } = new(Snapshot.Empty, FrozenDictionary<int, ListenerRouter>.Empty, FrozenDictionary<string, PoolRuntime>.Empty);
}
