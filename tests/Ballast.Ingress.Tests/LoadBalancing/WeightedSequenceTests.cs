using Ballast.Ingress.LoadBalancing;

namespace Ballast.Ingress.Tests.LoadBalancing;

public sealed class WeightedSequenceTests
{
    [Fact]
    public void Every_cycle_gives_each_item_exactly_its_share_spread_evenly()
    {
        var order = WeightedSequence.BuildOrder([90, 10]);

        Assert.Equal(10, order.Length);
        Assert.Equal(9, order.Count(i => i == 0));
        Assert.Equal(1, order.Count(i => i == 1));
    }

    [Fact]
    public void Zero_weights_are_never_chosen_and_all_zero_chooses_nothing()
    {
        Assert.DoesNotContain(1, WeightedSequence.BuildOrder([3, 0, 2]));
        Assert.Equal(-1, new WeightedSequence([0, 0]).Next());
    }

    [Fact]
    public void Long_cycles_are_scaled_but_keep_every_item()
    {
        var order = WeightedSequence.BuildOrder([1_000_000, 1, 999_999]);

        Assert.True(order.Length <= WeightedSequence.MaxCycle + 3);
        Assert.Contains(1, order);
    }

    [Fact]
    public async Task Concurrent_picks_still_add_up_to_the_exact_split()
    {
        var sequence = new WeightedSequence([3, 1]);
        var counts = new int[2];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++) Interlocked.Increment(ref counts[sequence.Next()]);
        })));

        Assert.Equal(30_000, counts[0]);
        Assert.Equal(10_000, counts[1]);
    }
}
