using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.LoadBalancing;

public class BoundedLoadTests
{
    private const double Epsilon = 0.25;

    [Fact]
    public void No_endpoint_exceeds_one_plus_epsilon_times_the_mean_under_a_zipf_key_stream()
    {
        var worst = MaxOverBound(LoadBalancingAlgorithm.ConsistentHashBoundedLoad);

        Assert.True(worst <= 0, $"an endpoint went {worst} requests above ceil((1+ε)·mean)");
    }

    [Fact]
    public void Plain_consistent_hashing_overloads_an_endpoint_under_the_same_stream()
    {
        // The control: the same skewed stream without the bound piles hot keys onto their endpoint, so the
        // bounded-load test above is measuring something.
        Assert.True(MaxOverBound(LoadBalancingAlgorithm.ConsistentHash) > 0);
    }

    [Fact]
    public void Keys_stay_on_their_ring_endpoint_while_it_is_not_overloaded()
    {
        var endpoints = Pool.Uniform(8);
        var bounded = Pool.Build(LoadBalancingAlgorithm.ConsistentHashBoundedLoad, endpoints);
        var plain = Pool.Build(LoadBalancingAlgorithm.ConsistentHash, endpoints);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(plain.Pick(Pool.KeyContext(i)), bounded.Pick(Pool.KeyContext(i)));
        }
    }

    /// <summary>Largest excess of the chosen endpoint's in-flight count over ceil((1+ε)·mean), over a stream of
    /// 50,000 Zipf(1.1)-distributed keys with 100 requests kept in flight on 10 endpoints.</summary>
    private static double MaxOverBound(LoadBalancingAlgorithm algorithm)
    {
        var endpoints = Pool.Uniform(10);
        var balancer = LoadBalancerRegistry.Create(endpoints,
            new LoadBalancingSnapshot { Algorithm = algorithm, BoundedLoadFactor = Epsilon }, new Random(3));
        var zipf = new Zipf(keys: 10_000, exponent: 1.1, new Random(11));
        double worst = double.MinValue;
        Pool.Simulate(balancer, 50_000, concurrency: 100, seed: 5,
            context: _ => Pool.KeyContext(zipf.Next()),
            afterStart: chosen =>
            {
                var total = endpoints.Sum(e => e.Load.InFlight);
                var bound = Math.Ceiling((1 + Epsilon) * total / endpoints.Length);
                worst = Math.Max(worst, chosen.Load.InFlight - bound);
            });
        return worst;
    }

    /// <summary>Key ranks drawn with probability ∝ 1/rank^s (inverse CDF over a precomputed table).</summary>
    private sealed class Zipf(int keys, double exponent, Random random)
    {
        private readonly double[] _cdf = Cdf(keys, exponent);

        public int Next()
        {
            var i = Array.BinarySearch(_cdf, random.NextDouble());
            return i < 0 ? Math.Min(~i, _cdf.Length - 1) : i;
        }

        private static double[] Cdf(int keys, double exponent)
        {
            var cdf = new double[keys];
            double sum = 0;
            for (var k = 0; k < keys; k++)
            {
                sum += 1 / Math.Pow(k + 1, exponent);
                cdf[k] = sum;
            }

            for (var k = 0; k < keys; k++)
            {
                cdf[k] /= sum;
            }

            return cdf;
        }
    }
}
