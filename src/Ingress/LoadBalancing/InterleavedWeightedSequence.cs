using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Interleaved weighted round robin (IPVS-style) for cycles too long to unroll: round r serves, once each, every
/// endpoint whose weight is at least r. Endpoints are sorted by weight (heaviest first) so round r is a prefix
/// of that order; consecutive rounds with the same prefix form a segment. A position maps to a segment by binary
/// search (≤ one segment per distinct weight), then to an endpoint by a modulo: O(log n), nothing stored per
/// position. The heaviest endpoint repeats at most (its weight − the next weight + 1) ≤ its weight times in a row.
/// </summary>
internal sealed class InterleavedWeightedSequence : IWeightedSequence
{
    private readonly EndpointState[] _byWeight;
    private readonly long[] _segmentStart;   // position of the segment's first pick
    private readonly int[] _segmentWidth;    // endpoints per round in the segment (a prefix of _byWeight)

    public InterleavedWeightedSequence(ImmutableArray<EndpointState> endpoints)
    {
        var weights = Weights.Reduced(endpoints);
        var order = Enumerable.Range(0, endpoints.Length).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        _byWeight = [.. order.Select(i => endpoints[i])];
        var sorted = order.Select(i => weights[i]).ToArray();

        var starts = new List<long>();
        var widths = new List<int>();
        long position = 0;
        var previousLevel = 0;
        // Walk levels from the lightest weight up: rounds (previousLevel, level] are served by every endpoint
        // whose weight ≥ level, i.e. the first `width` of the sorted order.
        for (var width = sorted.Length; width > 0;)
        {
            var level = sorted[width - 1];
            starts.Add(position);
            widths.Add(width);
            position += (long)(level - previousLevel) * width;
            previousLevel = level;
            while (width > 0 && sorted[width - 1] == level)
            {
                width--;
            }
        }

        _segmentStart = [.. starts];
        _segmentWidth = [.. widths];
        Length = position;
    }

    public long Length { get; }

    public EndpointState At(ulong position)
    {
        var p = (long)position;
        var index = Array.BinarySearch(_segmentStart, p);
        if (index < 0)
        {
            index = ~index - 1;
        }

        var offset = p - _segmentStart[index];
        return _byWeight[offset % _segmentWidth[index]];
    }
}
