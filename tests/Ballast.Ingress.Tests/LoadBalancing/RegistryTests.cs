using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class RegistryTests
{
    public static TheoryData<LoadBalancingAlgorithm> All => [.. Enum.GetValues<LoadBalancingAlgorithm>()];

    [Theory]
    [MemberData(nameof(All))]
    public void Empty_endpoint_set_picks_nothing(LoadBalancingAlgorithm algorithm)
    {
        var balancer = Pool.Build(algorithm, ImmutableArray<EndpointState>.Empty);

        Assert.Null(balancer.Pick(new PickContext(1)));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Every_algorithm_reaches_every_endpoint(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of(1, 2, 3, 1, 2);
        var balancer = Pool.Build(algorithm, endpoints, time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider());

        var counts = Pool.Simulate(balancer, 5000, concurrency: 10, context: Pool.KeyContext);

        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(endpoints, balancer.Endpoints);
    }

    [Theory]
    [InlineData(65536, "tableSize")]
    [InlineData(1, "tableSize")]
    public void Table_size_that_is_not_prime_is_rejected_by_name(int size, string field)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LoadBalancerRegistry.Create(Pool.Uniform(3), new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.Maglev, TableSize = size }));

        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void Virtual_nodes_and_load_factor_out_of_range_are_rejected_by_name()
    {
        Assert.Contains("virtualNodes", Assert.Throws<ArgumentOutOfRangeException>(() =>
            LoadBalancerRegistry.Create(Pool.Uniform(3), new LoadBalancingSnapshot { VirtualNodes = 0 })).Message);
        Assert.Contains("boundedLoadFactor", Assert.Throws<ArgumentOutOfRangeException>(() =>
            LoadBalancerRegistry.Create(Pool.Uniform(3), new LoadBalancingSnapshot { BoundedLoadFactor = -1 })).Message);
    }

    [Fact]
    public void Maglev_table_smaller_than_the_endpoint_set_still_gives_every_endpoint_a_slot()
    {
        var endpoints = Pool.Uniform(20);
        var balancer = LoadBalancerRegistry.Create(endpoints,
            new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.Maglev, TableSize = 7 }, new Random(1));

        Assert.All(Pool.Count(balancer, 20_000, Pool.KeyContext), c => Assert.True(c > 0));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Picking_allocates_nothing(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Of([.. Enumerable.Range(0, 100).Select(i => 1 + i % 4)]);
        var balancer = Pool.Build(algorithm, endpoints);
        endpoints[3].OnRequestStarted();
        var avoid = endpoints[7];
        for (var i = 0; i < 1000; i++)
        {
            balancer.Pick(new PickContext(Pool.Key(i), hasKey: i % 3 != 0, avoid: i % 5 == 0 ? avoid : null)); // warm up
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            balancer.Pick(new PickContext((ulong)i * 0x9E3779B97F4A7C15, hasKey: i % 3 != 0, avoid: i % 5 == 0 ? avoid : null));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
