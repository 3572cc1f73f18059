using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// nginx's smooth weighted round robin over endpoints, unrolled once over a full cycle (sum of gcd-reduced
/// weights) by <see cref="WeightedSequence.Unroll"/>. Interleaves best, and no endpoint is picked more than
/// `weight` times in a row.
/// </summary>
internal sealed class SmoothWeightedSequence : IWeightedSequence
{
    /// <summary>Longest cycle kept as a table (8 bytes an entry: 256 KiB at most).</summary>
    internal const int MaxLength = 32_768;

    /// <summary>Bound on build work (endpoints × cycle length), so a rebuild stays in the millisecond range.</summary>
    private const long MaxBuildSteps = 8_000_000;

    private readonly EndpointState[] _cycle;

    private SmoothWeightedSequence(EndpointState[] cycle) => _cycle = cycle;

    public long Length => _cycle.Length;

    public EndpointState At(ulong position) => _cycle[position];

    /// <summary>The unrolled cycle, or null when it would be too long or too slow to build (then use
    /// <see cref="InterleavedWeightedSequence"/>).</summary>
    public static SmoothWeightedSequence? TryBuild(ImmutableArray<EndpointState> endpoints)
    {
        var weights = Weights.Reduced(endpoints);
        var total = Weights.Sum(weights);
        if (total > MaxLength || total * endpoints.Length > MaxBuildSteps)
        {
            return null;
        }

        var order = WeightedSequence.Unroll(weights, total);
        var cycle = new EndpointState[order.Length];
        for (var step = 0; step < cycle.Length; step++)
        {
            cycle[step] = endpoints[order[step]];
        }

        return new SmoothWeightedSequence(cycle);
    }
}
