using Ballast.Ingress.Metrics;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// Deletes the metric series of the routes, pools and listeners a snapshot swap removed, once requests that
/// started on the previous state have had their drain (the same grace the retired connection pools get), so
/// their last requests are still counted. An entity that came back meanwhile keeps its series, and only the
/// latest removal of an id acts (an earlier timer of an id removed, re-added and removed again stands down).
/// Endpoints are retired by their pool's health when their own drain ends (see <c>PoolHealth</c>).
/// Runs at swaps and on timers, never on the request path.
/// </summary>
internal sealed class SeriesRetirement
{
    private readonly SeriesOwners _series;
    private readonly Lock _sync = new();
    private readonly Dictionary<RetiredEntity, long> _pending = [];
    private long _swaps;

    public SeriesRetirement(SeriesOwners series) => _series = series;

    /// <summary>What <paramref name="previous"/> served and <paramref name="next"/> does not.</summary>
    public static List<RetiredEntity> Removed(DataPlaneState previous, DataPlaneState next)
    {
        var present = Present(next);
        return [.. Present(previous).Where(e => !present.Contains(e))];
    }

    /// <summary>Records the removals of one swap; the returned stamp identifies them for <see cref="Complete"/>.</summary>
    public long Begin(IReadOnlyList<RetiredEntity> removed)
    {
        lock (_sync)
        {
            var stamp = ++_swaps;
            foreach (var entity in removed) _pending[entity] = stamp;
            return stamp;
        }
    }

    /// <summary>The grace of swap <paramref name="stamp"/> passed: removes the series of its entities still absent from <paramref name="current"/>.</summary>
    public void Complete(long stamp, DataPlaneState current)
    {
        var present = Present(current);
        List<RetiredEntity> due;
        lock (_sync)
        {
            due = [.. _pending.Where(p => p.Value == stamp).Select(p => p.Key)];
            foreach (var entity in due) _pending.Remove(entity);
        }
        foreach (var entity in due)
        {
            if (!present.Contains(entity)) _series.Remove(entity);
        }
    }

    private static HashSet<RetiredEntity> Present(DataPlaneState state)
    {
        var present = new HashSet<RetiredEntity>();
        foreach (var id in state.Pools.Keys) present.Add(RetiredEntity.Pool(id));
        foreach (var listener in state.Snapshot.Listeners)
        {
            present.Add(RetiredEntity.Listener(listener.Name));
            foreach (var route in listener.Routes) present.Add(RetiredEntity.Route(route.Id));
        }
        return present;
    }
}
