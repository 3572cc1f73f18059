using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;

namespace Ballast.Operator.Watching;

/// <summary>How an informer lists and watches one kind of object (all namespaces).</summary>
public interface IListWatch<T>
{
    /// <summary>Every object and the list's resourceVersion.</summary>
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken ct);

    /// <summary>Changes after <paramref name="resourceVersion"/>, with bookmarks; errors (410 Gone) go to <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, Action<Exception> onError, CancellationToken ct);

    /// <summary><c>namespace/name</c> and resourceVersion of an object.</summary>
    (string Key, string? ResourceVersion) Identify(T obj);
}

/// <summary>What an informer counts, whatever it caches (read by the operator's metrics at scrape time).</summary>
public interface IInformerCounts
{
    string Name { get; }
    /// <summary>The first list plus every re-list after 410 Gone.</summary>
    int Lists { get; }
    /// <summary>Watches that ended (timeout, dropped connection, error) while the informer kept running.</summary>
    int WatchRestarts { get; }
}

/// <summary>
/// A list-then-watch cache of one kind: lists, then watches from the list's resourceVersion (bookmarks keep that
/// version fresh), resumes a dropped watch from the last version seen, and re-lists when the API server answers
/// 410 Gone (the version was compacted away). <see cref="Changed"/> fires after every change and on each resync
/// period, so the level-triggered reconciler re-reads the whole cache.
/// </summary>
public sealed class Informer<T>(string name, IListWatch<T> source, TimeProvider time, ILogger logger, TimeSpan resync) : ICache<T>
{
    private readonly ConcurrentDictionary<string, T> _items = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _resourceVersion = "";

    public string Name => name;
    public event Action? Changed;

    /// <summary>How many times the informer listed (the first list plus every re-list after 410 Gone).</summary>
    public int Lists => Volatile.Read(ref _lists);
    private int _lists;

    public int WatchRestarts => Volatile.Read(ref _watchRestarts);
    private int _watchRestarts;

    public Task Synced => _synced.Task;
    public IReadOnlyCollection<T> Items => (IReadOnlyCollection<T>)_items.Values;
    public bool TryGet(string key, out T value) => _items.TryGetValue(key, out value!);

    public async Task RunAsync(CancellationToken ct)
    {
        var resyncLoop = ResyncAsync(ct);
        var backoff = TimeSpan.FromMilliseconds(100);
        var needList = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await RelistAsync(ct);
                    needList = false;
                }
                Exception? streamError = null;
                await foreach (var (type, obj) in source.WatchAsync(_resourceVersion, e => streamError ??= e, ct))
                {
                    Apply(type, obj);
                    backoff = TimeSpan.FromMilliseconds(100);
                }
                if (streamError is KubernetesException { Status.Code: 410 })
                {
                    logger.LogInformation("{Informer}: resourceVersion {Version} is gone, re-listing", name, _resourceVersion);
                    needList = true;
                }
                else if (streamError is not null) throw streamError;
                // A watch that simply ended (timeout, proxy, API server restart) resumes from the last version seen.
                if (!ct.IsCancellationRequested) Interlocked.Increment(ref _watchRestarts);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or KubernetesException or IOException)
            {
                logger.LogWarning("{Informer}: {Error}; retrying in {Delay}", name, e.Message, backoff);
                if (!needList) Interlocked.Increment(ref _watchRestarts); // a failed list is not a watch restart
                if (e is KubernetesException { Status.Code: 410 } or HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Gone }) needList = true;
                try { await Task.Delay(backoff, time, ct); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        await resyncLoop;
    }

    private async Task RelistAsync(CancellationToken ct)
    {
        var (items, version) = await source.ListAsync(ct);
        var fresh = items.ToDictionary(i => source.Identify(i).Key);
        foreach (var key in _items.Keys) if (!fresh.ContainsKey(key)) _items.TryRemove(key, out _);
        foreach (var (key, item) in fresh) _items[key] = item;
        _resourceVersion = version;
        Interlocked.Increment(ref _lists);
        _synced.TrySetResult();
        Changed?.Invoke();
    }

    private void Apply(WatchEventType type, T obj)
    {
        var (key, version) = source.Identify(obj);
        if (!string.IsNullOrEmpty(version)) _resourceVersion = version;
        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                _items[key] = obj;
                break;
            case WatchEventType.Deleted:
                _items.TryRemove(key, out _);
                break;
            default:
                return; // BOOKMARK: only the version moves
        }
        Changed?.Invoke();
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(resync, time, ct);
                if (_synced.Task.IsCompleted) Changed?.Invoke();
            }
        }
        catch (OperationCanceledException) { }
    }
}
