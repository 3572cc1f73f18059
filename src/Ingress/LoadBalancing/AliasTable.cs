using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Vose's alias method: a weighted draw in O(1), one uniform column and one biased coin, without the
/// branch-mispredicting binary search of running sums (≈10 levels at 1,000 endpoints). Built in integers
/// (column weights scaled by n against a threshold of the total weight), so the distribution is exact.
/// </summary>
internal sealed class AliasTable
{
    private readonly long[] _keep;   // draw in [0, total): below this the column keeps its own endpoint
    private readonly int[] _alias;   // otherwise this one
    private readonly long _total;

    public AliasTable(ImmutableArray<EndpointState> endpoints)
    {
        var n = endpoints.Length;
        _keep = new long[n];
        _alias = new int[n];
        var scaled = new long[n];
        for (var i = 0; i < n; i++)
        {
            scaled[i] = (long)Weights.Of(endpoints[i]) * n;
            _total += Weights.Of(endpoints[i]);
        }

        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            (scaled[i] < _total ? small : large).Push(i);
        }

        while (small.Count > 0 && large.Count > 0)
        {
            var less = small.Pop();
            var more = large.Pop();
            _keep[less] = scaled[less];
            _alias[less] = more;
            scaled[more] -= _total - scaled[less];
            (scaled[more] < _total ? small : large).Push(more);
        }

        foreach (var rest in small.Concat(large))
        {
            _keep[rest] = _total; // always itself
            _alias[rest] = rest;
        }
    }

    public int Sample(Random random)
    {
        var column = random.Next(_keep.Length);
        return random.NextInt64(_total) < _keep[column] ? column : _alias[column];
    }
}
