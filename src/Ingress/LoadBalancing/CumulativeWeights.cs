using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Running sums of the endpoints' weights: maps a number in [0, total) to the endpoint owning that slice, by
/// binary search (O(log n), no allocation). Used for weighted random draws, the second distinct draw of
/// power-of-two-choices (exact: the excluded endpoint's slice is cut out of the range) and IpHash's modulo.
/// </summary>
internal sealed class CumulativeWeights
{
    private readonly long[] _ends; // _ends[i] = sum of weights 0..i (exclusive upper bound of i's slice)

    public CumulativeWeights(ImmutableArray<EndpointState> endpoints)
    {
        _ends = new long[endpoints.Length];
        long sum = 0;
        var uniform = true;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var weight = Weights.Of(endpoints[i]);
            uniform &= weight == Weights.Of(endpoints[0]);
            sum += weight;
            _ends[i] = sum;
        }

        Total = sum;
        IsUniform = uniform;
    }

    public long Total { get; }

    /// <summary>All weights equal: callers may draw an index directly.</summary>
    public bool IsUniform { get; }

    public int Count => _ends.Length;

    public long WeightAt(int index) => index == 0 ? _ends[0] : _ends[index] - _ends[index - 1];

    /// <summary>The endpoint whose slice holds <paramref name="point"/> (0 ≤ point &lt; Total).</summary>
    public int IndexOf(long point)
    {
        // First i with _ends[i] > point.
        int lo = 0, hi = _ends.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ends[mid] > point)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>An index drawn with probability weight/total.</summary>
    public int Sample(Random random) => IsUniform ? random.Next(_ends.Length) : IndexOf(random.NextInt64(Total));

    /// <summary>An index other than <paramref name="excluded"/>, drawn with probability weight/(total − excluded's weight).
    /// Needs at least two endpoints.</summary>
    public int SampleExcluding(Random random, int excluded)
    {
        if (IsUniform)
        {
            var i = random.Next(_ends.Length - 1);
            return i >= excluded ? i + 1 : i;
        }

        var excludedWeight = WeightAt(excluded);
        var point = random.NextInt64(Total - excludedWeight);
        var excludedStart = _ends[excluded] - excludedWeight;
        return IndexOf(point >= excludedStart ? point + excludedWeight : point);
    }

    /// <summary>An index other than <paramref name="x"/> and <paramref name="y"/> (distinct), weighted likewise.
    /// Needs at least three endpoints.</summary>
    public int SampleExcluding(Random random, int x, int y)
    {
        if (IsUniform)
        {
            var (low, high) = x < y ? (x, y) : (y, x);
            var i = random.Next(_ends.Length - 2);
            if (i >= low)
            {
                i++;
            }

            return i >= high ? i + 1 : i;
        }

        var (first, second) = x < y ? (x, y) : (y, x);
        long firstWeight = WeightAt(first), secondWeight = WeightAt(second);
        var point = random.NextInt64(Total - firstWeight - secondWeight);
        // Re-insert the two cut slices, lower one first.
        if (point >= _ends[first] - firstWeight)
        {
            point += firstWeight;
        }

        if (point >= _ends[second] - secondWeight)
        {
            point += secondWeight;
        }

        return IndexOf(point);
    }
}
