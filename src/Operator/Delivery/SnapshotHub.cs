using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ballast.Model.Snapshots;

namespace Ballast.Operator.Delivery;

/// <summary>
/// The newest snapshot and who runs what: long-poll waiters are released when a newer snapshot is published;
/// replicas report the version they applied, which decides <c>Programmed</c>.
/// </summary>
public sealed class SnapshotHub(TimeProvider time)
{
    /// <summary>The wire format, shared with the replica's client: the model's JSON options.</summary>
    public static JsonSerializerOptions Json => Ballast.Model.Serialization.ModelJson.Options;

    private sealed record Published(Snapshot Snapshot, byte[] Body);

    private volatile Published _current = new(Snapshot.Empty, JsonSerializer.SerializeToUtf8Bytes(Snapshot.Empty, Json));
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<long, ImmutableDictionary<string, long>> _generations = new();
    /// <summary>
    /// The same by content hash: a replica that started from its saved snapshot of an earlier operator (another
    /// numbering of the same content) still counts as running the generations that content holds.
    /// </summary>
    private readonly ConcurrentDictionary<string, (long Version, ImmutableDictionary<string, long> Generations)> _generationsByHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _hashes = new();
    private readonly ConcurrentDictionary<string, (long Version, string? Hash, DateTimeOffset Seen)> _replicas = new();

    /// <summary>A replica that has not polled or reported for this long no longer counts as connected.</summary>
    public TimeSpan ConnectedWindow { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>A replica reported a new applied version, or one came or went.</summary>
    public event Action? ReplicasChanged;

    public Snapshot Current => _current.Snapshot;
    public bool HasSnapshot => _current.Snapshot.Version > 0;

    public void Publish(Snapshot snapshot)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _current = new Published(snapshot, JsonSerializer.SerializeToUtf8Bytes(snapshot, Json));
            _generations[snapshot.Version] = snapshot.Generations;
            _hashes[snapshot.Version] = snapshot.ContentHash;
            _generationsByHash[snapshot.ContentHash] = (snapshot.Version, snapshot.Generations);
            foreach (var old in _generations.Keys.Where(v => v < snapshot.Version).OrderDescending().Skip(32))
            {
                _generations.TryRemove(old, out _);
                _hashes.TryRemove(old, out _);
            }
            foreach (var (hash, entry) in _generationsByHash)
                if (!_generations.ContainsKey(entry.Version)) _generationsByHash.TryRemove(hash, out _);
            released = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        released.TrySetResult();
    }

    /// <summary>
    /// The serialized newest snapshot once it is newer than <paramref name="after"/> (or differs from
    /// <paramref name="knownHash"/>, which covers an operator restart that numbered versions afresh);
    /// null when nothing newer came within <paramref name="wait"/>.
    /// </summary>
    public async Task<byte[]?> WaitNewerAsync(long after, string? knownHash, TimeSpan wait, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        while (true)
        {
            Task next;
            Published current;
            lock (_gate)
            {
                current = _current;
                next = _next.Task;
            }
            if (current.Snapshot.Version > 0 &&
                (current.Snapshot.Version > after || (knownHash is not null && knownHash != current.Snapshot.ContentHash)))
                return current.Body;
            try { await next.WaitAsync(linked.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return null; }
        }
    }

    /// <summary>
    /// A replica says it runs <paramref name="version"/> (0: nothing yet), whose content hash is <paramref name="hash"/>
    /// when it says so; also marks it connected.
    /// </summary>
    public void Report(string replica, long version, string? hash = null)
    {
        var before = _replicas.TryGetValue(replica, out var old) ? old.Version : -1;
        _replicas[replica] = (version, string.IsNullOrEmpty(hash) ? null : hash, time.GetUtcNow());
        if (before != version) ReplicasChanged?.Invoke();
    }

    /// <summary>The content hash of a version this hub published (null: not one of the recent ones).</summary>
    public string? HashOf(long version) => _hashes.GetValueOrDefault(version);

    /// <summary>Replicas heard from within <see cref="ConnectedWindow"/>, and the version each runs.</summary>
    public IReadOnlyDictionary<string, long> ConnectedReplicas()
    {
        var cutoff = time.GetUtcNow() - ConnectedWindow;
        foreach (var (id, r) in _replicas)
            if (r.Seen < cutoff && _replicas.TryRemove(id, out _)) ReplicasChanged?.Invoke();
        return _replicas.ToDictionary(kv => kv.Key, kv => kv.Value.Version);
    }

    /// <summary>
    /// True when every connected replica runs a snapshot holding <paramref name="generation"/> of
    /// <paramref name="resourceKey"/> (or a later one); null when no replica is connected.
    /// </summary>
    public bool? IsProgrammed(string resourceKey, long generation)
    {
        var replicas = ConnectedReplicas();
        if (replicas.Count == 0) return null;
        foreach (var (id, version) in replicas)
        {
            // By the content hash when the report carried one (the replica may run another operator replica's
            // numbering of the same content), else by this hub's version.
            ImmutableDictionary<string, long>? generations;
            if (_replicas.TryGetValue(id, out var r) && r.Hash is { } hash && _generationsByHash.TryGetValue(hash, out var byHash))
                generations = byHash.Generations;
            else if (!_generations.TryGetValue(version, out generations)) return false;
            if (!generations.TryGetValue(resourceKey, out var g) || g < generation) return false;
        }
        return true;
    }
}
