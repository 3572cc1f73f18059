using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Watching;

/// <summary>
/// The Secrets the resources reference, and only those: one list-then-watch per referenced Secret, narrowed to
/// it with <c>fieldSelector=metadata.name=NAME</c> in its namespace. Unreferenced Secrets (service-account
/// tokens, other teams' credentials) never reach the operator, neither over the wire nor in memory, as issue 7
/// asks. The price is one watch per referenced Secret (a few dozen in a typical cluster; each is an idle HTTP
/// stream) and a short wait when a new reference appears, until its first list answered.
/// <para>RBAC cannot narrow list/watch by field selector, so the ClusterRole still grants list and watch on
/// Secrets: what this buys is that the process holds and receives nothing it does not need.</para>
/// Called from the reconcile loop only (one caller); <see cref="Items"/> and the counts may be read from anywhere.
/// </summary>
public sealed class ReferencedSecrets(IKubernetes client, TimeProvider time, ILogger logger, TimeSpan resync, Action changed) : IInformerCounts
{
    private sealed record Watch(Informer<V1Secret> Informer, CancellationTokenSource Stop, Task Run);

    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private int _retiredLists, _retiredRestarts;

    /// <summary>How long <see cref="TrackAsync"/> waits for a new Secret's first list before compiling without it.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string Name => "secrets";
    public int Lists => Volatile.Read(ref _retiredLists) + _watches.Values.Sum(w => w.Informer.Lists);
    public int WatchRestarts => Volatile.Read(ref _retiredRestarts) + _watches.Values.Sum(w => w.Informer.WatchRestarts);

    /// <summary><c>namespace/name</c> of every Secret watched now.</summary>
    public IReadOnlyCollection<string> Watched => (IReadOnlyCollection<string>)_watches.Keys;

    /// <summary>The referenced Secrets that exist.</summary>
    public IReadOnlyList<V1Secret> Items => [.. _watches.Values.SelectMany(w => w.Informer.Items)];

    /// <summary>
    /// Watches exactly <paramref name="keys"/> (<c>namespace/name</c>): starts the new ones and waits for their
    /// first list (so the compile that follows sees them), stops the ones no longer referenced.
    /// </summary>
    public async Task TrackAsync(IReadOnlySet<string> keys, CancellationToken ct)
    {
        foreach (var (key, watch) in _watches)
            if (!keys.Contains(key) && _watches.TryRemove(key, out _)) await RetireAsync(watch);
        var started = new List<Task>();
        foreach (var key in keys)
        {
            if (_watches.ContainsKey(key)) continue;
            var slash = key.IndexOf('/');
            var informer = new Informer<V1Secret>($"secret {key}", ListWatchSources.Secret(client, key[..slash], key[(slash + 1)..]), time, logger, resync);
            informer.Changed += changed;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _watches[key] = new Watch(informer, stop, Task.Run(() => informer.RunAsync(stop.Token), CancellationToken.None));
            started.Add(informer.Synced);
        }
        if (started.Count == 0) return;
        try { await Task.WhenAll(started).WaitAsync(SyncTimeout, time, ct); }
        catch (TimeoutException) { logger.LogWarning("secrets: not every newly referenced Secret listed within {Timeout}; compiling without them", SyncTimeout); }
    }

    public async Task StopAllAsync()
    {
        foreach (var key in _watches.Keys.ToList())
            if (_watches.TryRemove(key, out var watch)) await RetireAsync(watch);
    }

    private async Task RetireAsync(Watch watch)
    {
        // Keep the counters monotonic for the metrics when a watch goes away.
        Interlocked.Add(ref _retiredLists, watch.Informer.Lists);
        Interlocked.Add(ref _retiredRestarts, watch.Informer.WatchRestarts);
        watch.Informer.Changed -= changed;
        await watch.Stop.CancelAsync();
        try { await watch.Run; } catch (OperationCanceledException) { }
        watch.Stop.Dispose();
    }
}
