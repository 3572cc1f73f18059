using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Reloads;

public enum ReloadOutcome { Applied, Unchanged, Rejected }

/// <summary>One configuration change as a source handled it: when, what became of it, and why not when rejected.</summary>
/// <param name="Version">The snapshot serving afterwards (the new one when applied, the kept one otherwise).</param>
public sealed record ReloadRecord(DateTimeOffset At, ReloadOutcome Outcome, long Version, ImmutableArray<string> Errors);

/// <summary>The configuration being served and what the source knew about it when it applied it.</summary>
/// <param name="Resources">Each resource's status as the Compiler derived it (standalone mode); empty when the source does not
/// compile (operator mode: the operator writes the statuses on the resources).</param>
/// <param name="Warnings">Diagnostics of severity warning that came with the applied configuration.</param>
public sealed record AppliedConfiguration(long Version, string ContentHash, DateTimeOffset AppliedAt,
    ImmutableDictionary<string, long> Generations, ImmutableArray<ResourceStatus> Resources, ImmutableArray<Diagnostic> Warnings);

/// <summary>
/// What the snapshot sources did with each configuration change, for the admin port (<c>/admin/config</c>, the status
/// page): where the configuration comes from, the applied one with its per-resource conditions, and the most recent
/// attempts (applied, unchanged, rejected with their errors). Written by the sources (one reload at a time), read by
/// admin requests: both sides swap or copy whole immutable values under a lock that no request path takes.
/// </summary>
public sealed class ReloadJournal(TimeProvider time, int capacity = 20)
{
    private readonly Lock _lock = new();
    private readonly Queue<ReloadRecord> _recent = new();
    private AppliedConfiguration? _applied;

    /// <summary>Where the configuration comes from: <c>folder /path</c>, <c>operator http://…</c>, or empty (set by a test).</summary>
    public string Source { get; set; } = "";

    /// <summary>The configuration serving now; null before the first apply.</summary>
    public AppliedConfiguration? Applied
    {
        get { lock (_lock) return _applied; }
    }

    /// <summary>The last attempts, newest first.</summary>
    public ImmutableArray<ReloadRecord> Recent
    {
        get { lock (_lock) return [.. _recent.Reverse()]; }
    }

    public void RecordApplied(Snapshot snapshot, IEnumerable<ResourceStatus> resources, IEnumerable<Diagnostic> warnings)
    {
        var now = time.GetUtcNow();
        var applied = new AppliedConfiguration(snapshot.Version, snapshot.ContentHash, now, snapshot.Generations,
            [.. resources.OrderBy(r => r.Resource.ToString(), StringComparer.Ordinal)], [.. warnings]);
        lock (_lock)
        {
            _applied = applied;
            Add(new ReloadRecord(now, ReloadOutcome.Applied, snapshot.Version, []));
        }
    }

    public void RecordUnchanged(long servingVersion)
    {
        lock (_lock) Add(new ReloadRecord(time.GetUtcNow(), ReloadOutcome.Unchanged, servingVersion, []));
    }

    public void RecordRejected(long servingVersion, IEnumerable<string> errors)
    {
        lock (_lock) Add(new ReloadRecord(time.GetUtcNow(), ReloadOutcome.Rejected, servingVersion, [.. errors]));
    }

    private void Add(ReloadRecord record)
    {
        _recent.Enqueue(record);
        while (_recent.Count > capacity) _recent.Dequeue();
    }
}
