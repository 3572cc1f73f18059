using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class LoadAwareTests
{
    [Theory]
    [InlineData(LoadBalancingAlgorithm.LeastConnections)]
    [InlineData(LoadBalancingAlgorithm.WeightedLeastConnections)]
    public void Least_connections_avoids_a_loaded_endpoint(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(3);
        for (var i = 0; i < 5; i++)
        {
            endpoints[0].OnRequestStarted();
        }

        var counts = Pool.Count(Pool.Build(algorithm, endpoints), 1000);

        Assert.Equal(0, counts[0]);
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.LeastConnections)]
    [InlineData(LoadBalancingAlgorithm.WeightedLeastConnections)]
    public void Least_connections_spreads_ties_instead_of_herding_onto_the_first(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(4);

        var counts = Pool.Count(Pool.Build(algorithm, endpoints), 10_000);

        Assert.All(counts, c => Assert.InRange(c, 2000, 3000));
    }

    [Fact]
    public void Least_connections_sends_the_next_requests_to_whichever_endpoint_frees_up()
    {
        // 20 long requests on 4 endpoints, then the ones on endpoint 2 finish: the next 5 go there.
        var endpoints = Pool.Uniform(4);
        var balancer = Pool.Build(LoadBalancingAlgorithm.LeastConnections, endpoints);
        for (var i = 0; i < 20; i++)
        {
            balancer.Pick(PickContext.None)!.OnRequestStarted();
        }

        Assert.All(endpoints, e => Assert.Equal(5, e.Load.InFlight));
        for (var i = 0; i < 5; i++)
        {
            endpoints[2].OnRequestFinished(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < 5; i++)
        {
            var chosen = balancer.Pick(PickContext.None)!;
            Assert.Same(endpoints[2], chosen);
            chosen.OnRequestStarted();
        }
    }

    [Fact]
    public void Power_of_two_choices_prefers_the_less_loaded_endpoint()
    {
        var endpoints = Pool.Uniform(2);
        for (var i = 0; i < 3; i++)
        {
            endpoints[1].OnRequestStarted();
        }

        var counts = Pool.Count(Pool.Build(LoadBalancingAlgorithm.PowerOfTwoChoices, endpoints), 1000);

        Assert.Equal([1000, 0], counts);
    }

    [Fact]
    public void Power_of_two_choices_keeps_in_flight_load_far_more_even_than_random_picks()
    {
        var twoChoices = MeanSpread(LoadBalancingAlgorithm.PowerOfTwoChoices);
        var random = MeanSpread(LoadBalancingAlgorithm.Random);

        // Random picks drift apart (spread ~ √load); two choices keep every endpoint within a few of the others.
        Assert.True(twoChoices * 2 < random, $"mean in-flight spread: two choices {twoChoices:F1}, random {random:F1}");
        Assert.True(twoChoices < 6, $"mean in-flight spread with two choices {twoChoices:F1}");
    }

    /// <summary>Mean over 20,000 picks of (most − least in-flight) across 10 endpoints with 100 requests in flight.</summary>
    private static double MeanSpread(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(10);
        long spreadSum = 0;
        Pool.Simulate(Pool.Build(algorithm, endpoints), 20_000, concurrency: 100, afterStart: _ =>
        {
            int max = int.MinValue, min = int.MaxValue;
            foreach (var e in endpoints)
            {
                max = Math.Max(max, e.Load.InFlight);
                min = Math.Min(min, e.Load.InFlight);
            }

            spreadSum += max - min;
        });
        return spreadSum / 20_000.0;
    }
}
