using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class ConcurrencyTests
{
    public static TheoryData<LoadBalancingAlgorithm> All => [.. Enum.GetValues<LoadBalancingAlgorithm>()];

    [Theory]
    [MemberData(nameof(All))]
    public void Many_threads_picking_at_once_never_get_null(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of([.. Enumerable.Range(0, 50).Select(i => 1 + i % 3)]);
        // The production default: Random.Shared (thread-safe), the system clock.
        var balancer = LoadBalancerRegistry.Create(endpoints, new LoadBalancingSnapshot { Algorithm = algorithm });
        var nulls = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var chosen = balancer.Pick(new PickContext(Pool.Key(thread * 100_000 + i), avoid: i % 7 == 0 ? endpoints[i % 50] : null));
                if (chosen is null)
                {
                    Interlocked.Increment(ref nulls);
                    continue;
                }

                chosen.OnRequestStarted();
                chosen.OnRequestFinished(TimeSpan.FromMilliseconds(1 + i % 5));
            }
        });

        Assert.Equal(0, nulls);
        Assert.All(endpoints, e => Assert.Equal(0, e.Load.InFlight));
    }
}
