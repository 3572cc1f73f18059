using Ballast.Operator.Delivery;
using Prometheus;

namespace Ballast.Operator.Metrics;

/// <summary>
/// The operator's Prometheus metrics, in a registry of its own (one per host, so two operators in one test
/// process do not share series), served on the metrics port (see <see cref="MetricsEndpoint"/>). What other
/// parts already count (informer lists, status writes, the queue's length, the hub's replicas) is read at
/// scrape time, so the reconcile loop and the informers carry no Prometheus code; only the reconcile timing
/// is observed as it happens.
/// </summary>
public sealed class OperatorMetrics
{
    public OperatorMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Leader = factory.CreateGauge("ballast_operator_leader", "1 while this operator replica holds the leader Lease (writes status), else 0.");
        SnapshotVersion = factory.CreateGauge("ballast_operator_snapshot_version",
            "Version of the newest snapshot this operator replica offers to ingress replicas (0: none compiled yet).");
        ReplicaVersion = factory.CreateGauge("ballast_operator_replica_snapshot_version",
            "Snapshot version each connected ingress replica reports it applied (0: nothing yet), by replica.",
            new GaugeConfiguration { LabelNames = ["replica"] });
        ConnectedReplicas = factory.CreateGauge("ballast_operator_connected_replicas",
            "Ingress replicas that polled or reported within the connected window.");
        Reconciles = factory.CreateCounter("ballast_operator_reconciles_total",
            "Work items processed by the reconcile loop, by kind (compile: the whole desired state; status: one resource's status).",
            new CounterConfiguration { LabelNames = ["kind"] });
        ReconcileErrors = factory.CreateCounter("ballast_operator_reconcile_errors_total",
            "Work items that failed and were requeued with backoff, by kind.",
            new CounterConfiguration { LabelNames = ["kind"] });
        ReconcileDuration = factory.CreateHistogram("ballast_operator_reconcile_duration_seconds",
            "Time to process one work item, by kind.",
            new HistogramConfiguration
            {
                LabelNames = ["kind"],
                Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
        QueueDepth = factory.CreateGauge("ballast_operator_workqueue_depth", "Keys waiting in the reconcile work queue.");
        StatusWrites = factory.CreateCounter("ballast_operator_status_writes_total",
            "Status subresource writes sent to the API server (written only when the status changed).");
        WatchRestarts = factory.CreateCounter("ballast_operator_watch_restarts_total",
            "Watches that ended (timeout, dropped connection, error) and were started again, by resource.",
            new CounterConfiguration { LabelNames = ["resource"] });
        Relists = factory.CreateCounter("ballast_operator_relists_total",
            "Full lists of a resource: the first one and every re-list after 410 Gone, by resource.",
            new CounterConfiguration { LabelNames = ["resource"] });
        SnapshotAuthFailures = factory.CreateCounter("ballast_operator_snapshot_auth_failures_total",
            "Snapshot requests refused (401, or 503 when the TokenReview failed), by reason: missing (no bearer token), invalid (not authenticated for the audience), service_account (not the ingress ServiceAccount), review_error.",
            new CounterConfiguration { LabelNames = ["reason"] });
        UnsupportedAnnotations = factory.CreateGauge("ballast_unsupported_annotations",
            "ingress-nginx annotations of served Ingresses that Ballast does not apply: unsupported, or malformed (that Ingress is then not served); 1 per Ingress (namespace/name) and annotation. Exported by the leader only.",
            new GaugeConfiguration { LabelNames = ["ingress", "annotation"] });
        foreach (var reason in Delivery.Auth.AuthFailure.All) SnapshotAuthFailures.WithLabels(reason);
        foreach (var kind in Kinds)
        {
            // Children created up front, so every series exists from the first scrape (rate() needs a start).
            Reconciles.WithLabels(kind);
            ReconcileErrors.WithLabels(kind);
            ReconcileDuration.WithLabels(kind);
        }
    }

    public static readonly string[] Kinds = ["compile", "status"];

    public CollectorRegistry Registry { get; }
    public Gauge Leader { get; }
    public Gauge SnapshotVersion { get; }
    public Gauge ReplicaVersion { get; }
    public Gauge ConnectedReplicas { get; }
    public Counter Reconciles { get; }
    public Counter ReconcileErrors { get; }
    public Histogram ReconcileDuration { get; }
    public Gauge QueueDepth { get; }
    public Counter StatusWrites { get; }
    public Counter WatchRestarts { get; }
    public Counter Relists { get; }
    public Counter SnapshotAuthFailures { get; }
    public Gauge UnsupportedAnnotations { get; }

    /// <summary>One refused snapshot request.</summary>
    public void SnapshotRefused(string reason) => SnapshotAuthFailures.WithLabels(reason).Inc();

    /// <summary>One processed work item of <paramref name="kind"/> ("compile" or "status").</summary>
    public void Reconciled(string kind, TimeSpan took, bool failed)
    {
        Reconciles.WithLabels(kind).Inc();
        ReconcileDuration.WithLabels(kind).Observe(took.TotalSeconds);
        if (failed) ReconcileErrors.WithLabels(kind).Inc();
    }

    /// <summary>Reads the state the gauges and cumulative counters mirror, just before each scrape.</summary>
    public void ObserveAtScrape(Func<bool> isLeader, SnapshotHub hub, Reconcile.Controller controller)
    {
        Registry.AddBeforeCollectCallback(() =>
        {
            Leader.Set(isLeader() ? 1 : 0);
            SnapshotVersion.Set(hub.HasSnapshot ? hub.Current.Version : 0);
            var replicas = hub.ConnectedReplicas();
            ConnectedReplicas.Set(replicas.Count);
            foreach (var (replica, version) in replicas) ReplicaVersion.WithLabels(replica).Set(version);
            // A replica that went away must not stay in the scrape forever with its last version.
            foreach (var labels in ReplicaVersion.GetAllLabelValues().ToList())
                if (!replicas.ContainsKey(labels[0])) ReplicaVersion.RemoveLabelled(labels);
            QueueDepth.Set(controller.QueueDepth);
            StatusWrites.IncTo(controller.StatusWrites);
            // The leader's view only: every replica compiles the same, and one series per annotation is what an alert wants.
            var notApplied = isLeader() && controller.LastResult is { } result ? Model.Ingresses.IngressEvents.NotApplied(result).ToHashSet() : [];
            foreach (var labels in UnsupportedAnnotations.GetAllLabelValues().ToList())
                if (!notApplied.Contains((labels[0], labels[1]))) UnsupportedAnnotations.RemoveLabelled(labels);
            foreach (var (ingress, annotation) in notApplied) UnsupportedAnnotations.WithLabels(ingress, annotation).Set(1);
            foreach (var informer in controller.Informers)
            {
                Relists.WithLabels(informer.Name).IncTo(informer.Lists);
                WatchRestarts.WithLabels(informer.Name).IncTo(informer.WatchRestarts);
            }
        });
    }
}
