using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>What removing one of N endpoints does to 100,000 keys: consistent schemes move about 1/N, modulo moves most.</summary>
public class HashRemapTests
{
    private const int Keys = 100_000;
    private const int N = 10;

    [Theory]
    [InlineData(LoadBalancingAlgorithm.ConsistentHash)]
    [InlineData(LoadBalancingAlgorithm.Maglev)]
    [InlineData(LoadBalancingAlgorithm.ConsistentHashBoundedLoad)]
    public void Removing_one_of_n_endpoints_remaps_at_most_one_nth_plus_two_points(LoadBalancingAlgorithm algorithm)
    {
        var moved = RemappedShare(algorithm);

        Assert.True(moved <= 100.0 / N + 2, $"{moved:F2}% of keys moved, allowed {100.0 / N + 2:F2}%");
        Assert.True(moved >= 100.0 / N - 2, $"{moved:F2}% moved: the removed endpoint's keys must move");
    }

    [Fact]
    public void IpHash_remaps_most_keys_when_one_endpoint_is_removed()
    {
        // The documented weakness of plain modulo hashing: the modulus changes, so almost every key moves
        // (expected 1 − 1/N of them).
        var moved = RemappedShare(LoadBalancingAlgorithm.IpHash);

        Assert.True(moved > 80, $"only {moved:F2}% of keys moved");
    }

    [Fact]
    public void Maglev_gives_each_of_100_endpoints_its_exact_share_of_the_table_and_keys_within_25_percent()
    {
        var endpoints = Pool.Uniform(100);
        var counts = Pool.Count(Pool.Build(LoadBalancingAlgorithm.Maglev, endpoints), 100_000, Pool.KeyContext);

        // Slot counts are what Maglev balances; 100,000 keys add sampling noise, so check the table itself too.
        var table = MaglevTable.Build(endpoints, 65_537);
        var slots = new int[100];
        foreach (var owner in table)
        {
            slots[owner]++;
        }

        // Maglev fills the table in turns, so every endpoint owns ⌊65537/100⌋ or ⌈65537/100⌉ slots: max/min = 656/655 ≈ 1.0015.
        Assert.All(slots, s => Assert.InRange(s, 655, 656));
        Assert.True((double)slots.Max() / slots.Min() <= 656.0 / 655, $"slots: max {slots.Max()}, min {slots.Min()}");
        Assert.True(counts.Min() > 0);
        Assert.True((double)counts.Max() / counts.Min() <= 1.25, $"keys: max {counts.Max()}, min {counts.Min()}");
    }

    private static double RemappedShare(LoadBalancingAlgorithm algorithm)
    {
        var all = Pool.Uniform(N);
        var before = Pool.Build(algorithm, all);
        var after = Pool.Build(algorithm, all.RemoveAt(3));
        var moved = 0;
        for (var i = 0; i < Keys; i++)
        {
            var context = Pool.KeyContext(i);
            if (!ReferenceEquals(before.Pick(context), after.Pick(context)))
            {
                moved++;
            }
        }

        return 100.0 * moved / Keys;
    }
}
