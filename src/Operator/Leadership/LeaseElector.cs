using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Leadership;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease: the holder renews it every <see cref="RetryPeriod"/>;
/// anyone else takes it once <c>renewTime + leaseDuration</c> has passed. Writes use the Lease's resourceVersion,
/// so two candidates racing for an expired lease cannot both win (one gets 409 Conflict). Time comes from the
/// injected <see cref="TimeProvider"/>, so tests move the clock instead of sleeping.
/// </summary>
public sealed class LeaseElector(IKubernetes client, string ns, string leaseName, string identity, TimeProvider time, ILogger logger)
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    public string Identity => identity;

    /// <summary>Annotation on the Lease: where the holder's snapshot server answers (standbys pass snapshot requests on to it).</summary>
    public const string EndpointAnnotation = "ballast.dev/snapshot-endpoint";
    /// <summary>This candidate's snapshot server as other operator replicas reach it; written into the Lease while it leads.</summary>
    public string? Endpoint { get; set; }
    /// <summary>The current holder's <see cref="EndpointAnnotation"/> as last read (null: unknown, or this candidate leads).</summary>
    public string? LeaderEndpoint => _leaderEndpoint;
    private volatile string? _leaderEndpoint;

    private volatile bool _isLeader;
    public bool IsLeader => _isLeader;
    public event Action<bool>? LeadershipChanged;

    /// <summary>One round: take, renew or observe the lease. Returns whether this candidate leads now.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        bool leads;
        try
        {
            V1Lease? lease = null;
            try { lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(leaseName, ns, cancellationToken: ct); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }

            if (lease is null)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = leaseName, NamespaceProperty = ns, Annotations = Annotate(null) },
                    Spec = Spec(now, now, transitions: 0),
                }, ns, cancellationToken: ct);
                leads = true;
            }
            else
            {
                var holder = lease.Spec?.HolderIdentity;
                var renewed = lease.Spec?.RenewTime ?? lease.Spec?.AcquireTime ?? DateTime.MinValue;
                var duration = TimeSpan.FromSeconds(lease.Spec?.LeaseDurationSeconds ?? (int)LeaseDuration.TotalSeconds);
                var expired = renewed.ToUniversalTime() + duration <= now;
                if (holder == identity || expired || string.IsNullOrEmpty(holder))
                {
                    var takeover = holder != identity;
                    lease.Spec = Spec(
                        takeover ? now : lease.Spec?.AcquireTime ?? now,
                        now,
                        (lease.Spec?.LeaseTransitions ?? 0) + (takeover ? 1 : 0));
                    lease.Metadata.Annotations = Annotate(lease.Metadata.Annotations);
                    await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, leaseName, ns, cancellationToken: ct);
                    leads = true;
                }
                else
                {
                    leads = false;
                    _leaderEndpoint = lease.Metadata.Annotations?.TryGetValue(EndpointAnnotation, out var endpoint) == true ? endpoint : null;
                }
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            leads = false; // someone else wrote the lease first
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning("lease {Lease}: {Error}", leaseName, e.Message);
            // Without a successful renewal we cannot know we still lead once the lease would have run out.
            leads = _isLeader && _lastRenew + LeaseDuration > now;
        }
        if (leads) _lastRenew = now;
        SetLeader(leads);
        return leads;
    }

    private DateTime _lastRenew = DateTime.MinValue;

    private IDictionary<string, string>? Annotate(IDictionary<string, string>? annotations)
    {
        _leaderEndpoint = null;
        if (Endpoint is null) return annotations;
        annotations ??= new Dictionary<string, string>();
        annotations[EndpointAnnotation] = Endpoint;
        return annotations;
    }

    private V1LeaseSpec Spec(DateTime acquired, DateTime renewed, int transitions) => new()
    {
        HolderIdentity = identity,
        LeaseDurationSeconds = (int)Math.Ceiling(LeaseDuration.TotalSeconds),
        AcquireTime = acquired,
        RenewTime = renewed,
        LeaseTransitions = transitions,
    };

    private void SetLeader(bool leads)
    {
        if (_isLeader == leads) return;
        _isLeader = leads;
        logger.LogInformation("{Identity} {What} lease {Lease}", identity, leads ? "acquired" : "lost", leaseName);
        LeadershipChanged?.Invoke(leads);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await TryAcquireOrRenewAsync(ct);
                await Task.Delay(RetryPeriod, time, ct);
            }
        }
        catch (OperationCanceledException) { }
        SetLeader(false);
    }
}
