namespace Ballast.Ingress.Endpoints;

/// <summary>
/// Health part of an <see cref="EndpointState"/>: the endpoint as the pool's health layer (src/Ingress/Health) sees it: the active check's verdict,
/// the outlier detector's ejection, slow start and draining. Every flag is one int read with
/// <see cref="Volatile"/> on the hot path; writes come from the health layer (a prober, the detector's
/// threshold crossing, timers), never from under a lock the hot path could wait on.
/// </summary>
public sealed class EndpointHealth
{
    /// <summary>Scale of <see cref="EndpointState.EffectiveWeight"/>: at full weight an endpoint weighs <c>Weight × 10</c>,
    /// so slow start can ramp in tenths while balancers that reduce weights by their GCD still see 1:1:1.</summary>
    public const int EffectiveWeightScale = 10;

    private int _activeDown;         // 1 = the active check marked it down
    private int _ejected;            // 1 = the outlier detector ejected it
    private int _removed;            // 1 = no longer in the snapshot: draining its in-flight requests
    private int _slowStartTenths = EffectiveWeightScale; // 1..10 while ramping, 10 at full weight

    // Passive (outlier) state. The failure counter is the only one touched per request; the rest changes
    // only when an ejection starts or ends (under the detector's lock).
    private int _passiveFailures;
    private int _probation;          // 1 = back from an ejection and not yet answered well: first failure re-ejects
    internal int EjectionCount;      // consecutive ejections (doubling exponent), reset after a good spell
    internal long EjectedAtTimestamp;
    internal long ReturnedAtTimestamp;
    internal TimeSpan LastEjectionDuration;
    internal ITimer? EjectionTimer;

    /// <summary>True once the active check has judged this endpoint at least once (fall/rise applies in full from then on).</summary>
    internal volatile bool ActiveHealthConfirmed;

    /// <summary>TimeProvider timestamp at which the endpoint last became available after being down (slow start).</summary>
    internal long AvailableSinceTimestamp;

    /// <summary>False while the active health check holds the endpoint down.</summary>
    public bool IsActiveHealthy => Volatile.Read(ref _activeDown) == 0;

    /// <summary>True while passive health (outlier detection) keeps the endpoint out.</summary>
    public bool IsEjected => Volatile.Read(ref _ejected) != 0;

    /// <summary>Passes the active check and is not ejected: may take traffic in the normal mode.</summary>
    public bool IsHealthy => Volatile.Read(ref _activeDown) == 0 && Volatile.Read(ref _ejected) == 0;

    /// <summary>Removed from the configuration: gets no new requests and serves out its in-flight ones.</summary>
    public bool IsRemoved => Volatile.Read(ref _removed) != 0;


    /// <summary>True between a return from ejection and the first good answer after it.</summary>
    public bool InEjectionProbation => Volatile.Read(ref _probation) != 0;

    /// <summary>Consecutive failures seen by passive health since the last success.</summary>
    public int ConsecutivePassiveFailures => Volatile.Read(ref _passiveFailures);

    /// <summary>Slow-start share of the full weight, in tenths (1..10).</summary>
    public int SlowStartTenths => Volatile.Read(ref _slowStartTenths);


    private CancellationTokenSource? _drainAbort;

    /// <summary>
    /// Cancelled when this endpoint's drain timeout passes with requests still open: the proxy passes it to the
    /// forwarder with every attempt, so WebSockets, gRPC streams and slow responses still open at the deadline are
    /// torn down (the forwarder cancels its copy loops, the client sees the stream/connection end). Created on
    /// first use, once per endpoint, never per request.
    /// </summary>
    public CancellationToken DrainAbortToken
    {
        get
        {
            var cts = Volatile.Read(ref _drainAbort);
            if (cts is null)
            {
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _drainAbort, created, null) ?? created;
                if (!ReferenceEquals(cts, created))
                {
                    created.Dispose();
                }
            }

            return cts.Token;
        }
    }

    /// <summary>Aborts whatever this endpoint still serves (the drain deadline passed).</summary>
    internal void AbortDrain()
    {
        _ = DrainAbortToken;
        Volatile.Read(ref _drainAbort)!.Cancel();
    }

    internal bool SetActiveDown(bool down) => Interlocked.Exchange(ref _activeDown, down ? 1 : 0) != (down ? 1 : 0);

    internal bool SetEjected(bool ejected) => Interlocked.Exchange(ref _ejected, ejected ? 1 : 0) != (ejected ? 1 : 0);

    internal void MarkRemoved(bool removed) => Volatile.Write(ref _removed, removed ? 1 : 0);

    internal void SetSlowStartTenths(int tenths) => Volatile.Write(ref _slowStartTenths, Math.Clamp(tenths, 1, EffectiveWeightScale));

    internal int IncrementPassiveFailures() => Interlocked.Increment(ref _passiveFailures);

    /// <summary>Success: clears the failure count and probation. Writes only when there is something to clear,
    /// so a healthy endpoint's cache line is not bounced between cores by every request.</summary>
    internal void ResetPassiveFailures()
    {
        if (Volatile.Read(ref _passiveFailures) != 0)
        {
            Volatile.Write(ref _passiveFailures, 0);
        }

        if (Volatile.Read(ref _probation) != 0)
        {
            Volatile.Write(ref _probation, 0);
        }
    }

    internal void SetProbation(bool on) => Volatile.Write(ref _probation, on ? 1 : 0);

    internal void ClearPassiveFailures() => Volatile.Write(ref _passiveFailures, 0);
}
