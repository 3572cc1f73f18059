namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// An exact, lock-free weighted choice among a few items (the pools of a route's split): the smooth weighted
/// round-robin order is computed once into an array (length = sum of weights / their gcd), and each pick
/// takes the next slot with an interlocked counter. Over every full cycle each item gets exactly its share,
/// spread evenly (90/10 gives nine of one, then one of the other, not 90 then 10). The one implementation of
/// the smooth order: <see cref="SmoothWeightedSequence"/> unrolls endpoint cycles with <see cref="Unroll"/> too.
/// </summary>
public sealed class WeightedSequence
{
    /// <summary>Longer cycles are scaled down proportionally (weights are small integers in practice).</summary>
    public const int MaxCycle = 10_000;

    private readonly int[] _order;
    private int _counter = -1;

    public WeightedSequence(IReadOnlyList<int> weights)
    {
        _order = BuildOrder(weights);
    }

    /// <summary>Number of slots in one cycle; 0 when every weight is zero.</summary>
    public int CycleLength => _order.Length;

    /// <summary>The index of the next item, or -1 when every weight is zero.</summary>
    public int Next()
    {
        var order = _order;
        if (order.Length == 0) return -1;
        if (order.Length == 1) return order[0];
        var slot = (uint)Interlocked.Increment(ref _counter) % (uint)order.Length;
        return order[slot];
    }

    internal static int[] BuildOrder(IReadOnlyList<int> weights)
    {
        var w = weights.Select(x => Math.Max(0, x)).ToArray();
        var g = 0;
        foreach (var x in w) g = Weights.Gcd(g, x);
        if (g == 0) return [];
        for (var i = 0; i < w.Length; i++) w[i] /= g;
        long total = w.Sum(x => (long)x);
        if (total > MaxCycle)
        {
            // Keep every non-zero item in the cycle, scale the rest proportionally.
            for (var i = 0; i < w.Length; i++) if (w[i] > 0) w[i] = Math.Max(1, (int)(w[i] * (long)MaxCycle / total));
            total = w.Sum(x => (long)x);
        }
        return Unroll(w, total);
    }

    /// <summary>
    /// nginx's smooth weighted round robin over one full cycle of <paramref name="total"/> (= the sum of the
    /// weights) picks: each step adds every item's weight to its running score, takes the highest score (the
    /// first on a tie) and subtracts the total from it. No item is picked more than its weight times in a row.
    /// </summary>
    internal static int[] Unroll(ReadOnlySpan<int> weights, long total)
    {
        var order = new int[total];
        var scores = new long[weights.Length];
        for (var n = 0; n < order.Length; n++)
        {
            var best = -1;
            for (var i = 0; i < weights.Length; i++)
            {
                if (weights[i] == 0) continue;
                scores[i] += weights[i];
                if (best < 0 || scores[i] > scores[best]) best = i;
            }
            scores[best] -= total;
            order[n] = best;
        }
        return order;
    }
}
