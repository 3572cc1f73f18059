namespace Ballast.Ingress.Endpoints;

/// <summary>
/// Latency part of an <see cref="EndpointState"/>: peak-EWMA latency (Finagle/Linkerd) for LeastResponseTime: a slower response than the current estimate
/// replaces it at once (peak), a faster one is blended in with weight 1 − e^(−Δt/τ), and the estimate
/// decays toward zero while nothing is observed, so an endpoint that was slow gets probed again and can win
/// back traffic once it recovers. Lock-free: the estimate is one CAS-updated double; its timestamp is written
/// after it, so a racing reader may see a slightly stale stamp (a few µs of decay), which is harmless.
/// </summary>
public sealed class EndpointLatency
{
    /// <summary>Decay time constant τ (Finagle and Linkerd default: 10 s).</summary>
    public static readonly TimeSpan LatencyDecay = TimeSpan.FromSeconds(10);

    private long _latencyEstimateBits;  // double: estimate in ticks (100 ns), 0 = nothing observed yet
    private long _latencyStamp;         // Clock timestamp of the last observation

    /// <summary>Clock of the latency estimate's decay. Set by the LeastResponseTime balancer (from the
    /// registry's TimeProvider) before it reads the estimate, so observations and reads share one clock.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    internal void Record(TimeSpan elapsed)
    {
        var clock = Clock;
        var now = clock.GetTimestamp();
        var rtt = (double)Math.Max(0, elapsed.Ticks);
        while (true)
        {
            var bits = Volatile.Read(ref _latencyEstimateBits);
            var w = Decay(clock, Volatile.Read(ref _latencyStamp), now);
            // The estimate as readers saw it just now (decayed toward 0 since the last observation), then the
            // EWMA step toward this sample; a sample above it replaces it (peak). The result never exceeds
            // max(sample, what readers saw), so a fast response can never make an endpoint look slower.
            var seen = BitConverter.Int64BitsToDouble(bits) * w;
            var next = rtt >= seen ? rtt : seen * w + rtt * (1 - w);

            if (Interlocked.CompareExchange(ref _latencyEstimateBits, BitConverter.DoubleToInt64Bits(next), bits) == bits)
            {
                Volatile.Write(ref _latencyStamp, now);
                return;
            }
        }
    }

    /// <summary>The latency estimate in ticks, decayed to <paramref name="now"/> (a timestamp of <see cref="Clock"/>);
    /// 0 when nothing was observed. Reads only: the decay is applied on the fly, nothing is written.</summary>
    public double Estimate(long now)
    {
        var estimate = BitConverter.Int64BitsToDouble(Volatile.Read(ref _latencyEstimateBits));
        return estimate == 0 ? 0 : estimate * Decay(Clock, Volatile.Read(ref _latencyStamp), now);
    }

    /// <summary>e^(−Δt/τ): the weight the old estimate keeps after Δt.</summary>
    private static double Decay(TimeProvider clock, long since, long now)
    {
        if (now <= since)
        {
            return 1;
        }

        var elapsed = clock.GetElapsedTime(since, now);
        return Math.Exp(-elapsed.Ticks / (double)LatencyDecay.Ticks);
    }
}
