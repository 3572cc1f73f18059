namespace Ballast.Operator.Watching;

/// <summary>A cache the reconcile loop runs, waits for and listens to, whatever it holds.</summary>
public interface IRunnableCache : IInformerCounts
{
    event Action? Changed;
    Task Synced { get; }
    Task RunAsync(CancellationToken ct);
}

/// <summary>What the reconcile loop reads from a cache of one kind, whether one informer or one per namespace.</summary>
public interface ICache<T> : IRunnableCache
{
    IReadOnlyCollection<T> Items { get; }
    /// <summary>By <c>namespace/name</c>.</summary>
    bool TryGet(string key, out T value);
}

/// <summary>
/// One kind watched in a list of namespaces (<c>--watch-namespaces</c>): an informer per namespace, read as one
/// cache. Needed because a namespaced Role grants nothing cluster-wide, so an all-namespaces watch is forbidden.
/// </summary>
public sealed class InformerSet<T>(string name, IReadOnlyList<Informer<T>> informers) : ICache<T>
{
    public string Name => name;
    public int Lists => informers.Sum(i => i.Lists);
    public int WatchRestarts => informers.Sum(i => i.WatchRestarts);
    public Task Synced { get; } = Task.WhenAll(informers.Select(i => i.Synced));
    public IReadOnlyCollection<T> Items => [.. informers.SelectMany(i => i.Items)];

    public event Action? Changed
    {
        add { foreach (var i in informers) i.Changed += value; }
        remove { foreach (var i in informers) i.Changed -= value; }
    }

    public bool TryGet(string key, out T value)
    {
        foreach (var informer in informers)
            if (informer.TryGet(key, out value)) return true;
        value = default!;
        return false;
    }

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(informers.Select(i => i.RunAsync(ct)));

    /// <summary>One informer over all namespaces when <paramref name="namespaces"/> is empty, else one per namespace.</summary>
    public static ICache<T> For(string name, IReadOnlyList<string> namespaces, Func<string?, IListWatch<T>> source, TimeProvider time, ILogger logger, TimeSpan resync) =>
        namespaces.Count == 0
            ? new Informer<T>(name, source(null), time, logger, resync)
            : new InformerSet<T>(name, [.. namespaces.Select(ns => new Informer<T>(name, source(ns), time, logger, resync))]);
}
