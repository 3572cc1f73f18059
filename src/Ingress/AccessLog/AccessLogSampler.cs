using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.AccessLog;

/// <summary>Decides whether a finished request gets a line: all, errors only, or a random share (injected randomness).</summary>
internal sealed class AccessLogSampler(Random? random)
{
    private readonly Lock _lock = new();

    /// <param name="failed">No response came out of the proxy normally (an exception, or the client went away).</param>
    public bool Keeps(AccessLogSnapshot config, int status, bool failed) => config.Sampling switch
    {
        AccessLogSampling.All => true,
        AccessLogSampling.Errors => failed || status >= 400,
        _ => config.Ratio >= 1 || Draw() < config.Ratio,
    };

    private double Draw()
    {
        if (random is null) return Random.Shared.NextDouble();
        // A seeded Random is not thread-safe; the lock keeps its sequence (and so the sample) repeatable.
        lock (_lock) return random.NextDouble();
    }
}
