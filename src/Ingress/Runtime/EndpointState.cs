using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// The live state of one backend endpoint. One instance per endpoint id for as long as the endpoint is in
/// some snapshot (or draining): snapshots come and go, counters and health carry over.
/// Partial: each concern (latency, health, slow start) keeps its state in its own file.
/// All fields are read lock-free on the hot path and written with Interlocked/Volatile.
/// </summary>
public sealed partial class EndpointState
{
    private int _inFlight;

    public EndpointState(EndpointSnapshot config)
    {
        Config = config;
        Id = config.Id;
    }

    /// <summary><c>host:port</c>; the identity that carries the endpoint's state across snapshots.</summary>
    public string Id { get; }

    /// <summary>The endpoint as the current snapshot describes it (weight, backup …); replaced on reload.</summary>
    public EndpointSnapshot Config { get; internal set; }

    public int Weight => Config.Weight;
    public bool IsBackup => Config.Backup;

    /// <summary>Requests (or L4 connections) currently being served by this endpoint.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Called by the proxy (or the L4 path) just before a request is sent to this endpoint.</summary>
    public void OnRequestStarted() => Interlocked.Increment(ref _inFlight);

    /// <summary>Called when that request ends, whatever its outcome, with how long it took.</summary>
    public void OnRequestFinished(TimeSpan elapsed)
    {
        Interlocked.Decrement(ref _inFlight);
        RecordLatency(elapsed);
    }

    /// <summary>Latency feedback for the latency-aware balancers (implemented beside them).</summary>
    partial void RecordLatency(TimeSpan elapsed);

    public override string ToString() => Id;
}
