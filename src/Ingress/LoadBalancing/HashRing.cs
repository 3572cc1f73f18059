using System.Collections.Immutable;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// The consistent-hashing ring (Karger et al.): each endpoint owns <c>virtualNodes × weight</c> points, the
/// XxHash3 of its id seeded with the point number, so an endpoint's points do not depend on the others and
/// removing one endpoint moves only the keys it owned. Points are a sorted ulong array (binary search) with the
/// owner's index beside each, built once per endpoint set.
/// </summary>
internal sealed class HashRing
{
    /// <summary>Ring size cap (16 bytes a point: 32 MiB). Above it every endpoint's point count is scaled down
    /// in proportion, keeping the weight ratios.</summary>
    internal const long MaxPoints = 2_000_000;

    private readonly ulong[] _points;
    private readonly int[] _owners;

    public HashRing(ImmutableArray<EndpointState> endpoints, int virtualNodes)
    {
        var weights = Weights.Reduced(endpoints);
        var wanted = Weights.Sum(weights) * virtualNodes;
        var scale = wanted > MaxPoints ? (double)MaxPoints / wanted : 1.0;
        var counts = weights.Select(w => (int)Math.Max(1, Math.Round(w * (double)virtualNodes * scale))).ToArray();

        _points = new ulong[counts.Sum()];
        _owners = new int[_points.Length];
        var next = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var id = MemoryMarshal.AsBytes(endpoints[i].Id.AsSpan());
            for (var v = 0; v < counts[i]; v++)
            {
                _points[next] = XxHash3.HashToUInt64(id, seed: v);
                _owners[next] = i;
                next++;
            }
        }

        Array.Sort(_points, _owners);
    }

    public int Length => _points.Length;

    /// <summary>Position of the first point at or after <paramref name="hash"/>, wrapping past the top.</summary>
    public int PositionOf(ulong hash)
    {
        var points = _points;
        int lo = 0, hi = points.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid] < hash)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == points.Length ? 0 : lo;
    }

    /// <summary>Index (in the endpoint set) of the owner of the point at <paramref name="position"/>.</summary>
    public int OwnerAt(int position) => _owners[position];

    public int Next(int position) => position + 1 == _owners.Length ? 0 : position + 1;
}
