using Ballast.Acme.Listeners;
using Ballast.Ingress.Metrics;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Sources;

/// <summary>
/// What a snapshot source feeds: the running ingress (Hosting/IngressHost implements it). An interface so the
/// sources sit below the host that starts them and never reach into it.
/// </summary>
public interface ISnapshotTarget
{
    /// <summary>The snapshot being served (an empty one before the first apply).</summary>
    Snapshot CurrentSnapshot { get; }

    /// <summary>True once a snapshot was applied.</summary>
    bool HasSnapshot { get; }

    /// <summary>The host's registry and core counters (a rejected change counts in <c>FailedReloads</c>).</summary>
    IngressMetrics Metrics { get; }

    /// <summary>The standalone ACME managers, when the configuration asks for certificates.</summary>
    CertificateSupervisor? Acme { get; }

    /// <summary>Where Ingress objects of a folder are served (standalone mode compiles them with it).</summary>
    Ballast.Model.Compilation.IngressServing IngressServing { get; }

    /// <summary>Where the sources record each change they handled (what <c>/admin/config</c> and the status page show).</summary>
    Reloads.ReloadJournal Reloads { get; }

    /// <summary>
    /// Applies a snapshot atomically; throws when the data plane rejects it (the last good one keeps serving):
    /// <see cref="SnapshotRejectedException"/> when the reason is in its message (a port that cannot be bound).
    /// </summary>
    Task ApplyAsync(Snapshot snapshot, CancellationToken cancellationToken = default);
}

public static class SnapshotTargetExtensions
{
    /// <summary>A change the source could not apply: counted (<c>ballast_reload_failures_total</c>, the BallastReloadFailed alert)
    /// and recorded with its errors; the last good snapshot keeps serving.</summary>
    public static void CountRejected(this ISnapshotTarget host, IEnumerable<string> errors)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.Metrics.FailedReloads.Inc();
        host.Reloads.RecordRejected(host.CurrentSnapshot.Version, errors);
    }
}
