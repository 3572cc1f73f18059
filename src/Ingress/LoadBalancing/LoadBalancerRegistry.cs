using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Builds the balancer for a pool's algorithm over its current set of available endpoints. Called off the hot
/// path (whenever that set changes); the result's <see cref="ILoadBalancer.Pick"/> is lock-free.
/// </summary>
public static class LoadBalancerRegistry
{
    private const int MaxTableSize = 1 << 24;

    /// <param name="random">Source of randomness for the random-based algorithms; null = <see cref="Random.Shared"/>.
    /// A seeded <see cref="Random"/> is not thread-safe: pass one only where picks are single-threaded (tests).</param>
    /// <param name="timeProvider">Clock of the latency decay (LeastResponseTime); null = <see cref="TimeProvider.System"/>.</param>
    public static ILoadBalancer Create(
        ImmutableArray<EndpointState> endpoints,
        LoadBalancingSnapshot options,
        Random? random = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (endpoints.IsDefaultOrEmpty)
        {
            return new EmptyLoadBalancer();
        }

        Validate(options);
        random ??= Random.Shared;
        return options.Algorithm switch
        {
            LoadBalancingAlgorithm.RoundRobin => new RoundRobinBalancer(endpoints),
            LoadBalancingAlgorithm.WeightedRoundRobin => new WeightedRoundRobinBalancer(endpoints),
            LoadBalancingAlgorithm.Random => new RandomBalancer(endpoints, random),
            LoadBalancingAlgorithm.WeightedRandom => new WeightedRandomBalancer(endpoints, random),
            LoadBalancingAlgorithm.LeastConnections => new LeastConnectionsBalancer(endpoints, random),
            LoadBalancingAlgorithm.WeightedLeastConnections => new WeightedLeastConnectionsBalancer(endpoints, random),
            LoadBalancingAlgorithm.PowerOfTwoChoices => new PowerOfTwoChoicesBalancer(endpoints, random),
            LoadBalancingAlgorithm.LeastResponseTime => new LeastResponseTimeBalancer(endpoints, random, timeProvider ?? TimeProvider.System),
            LoadBalancingAlgorithm.IpHash => new IpHashBalancer(endpoints, random),
            LoadBalancingAlgorithm.ConsistentHash => new ConsistentHashBalancer(endpoints, options.VirtualNodes, random),
            LoadBalancingAlgorithm.Maglev => new MaglevBalancer(endpoints, options.TableSize, random),
            LoadBalancingAlgorithm.ConsistentHashBoundedLoad =>
                new ConsistentHashBoundedLoadBalancer(endpoints, options.VirtualNodes, options.BoundedLoadFactor, random),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Algorithm, "loadBalancing.algorithm: unknown algorithm"),
        };
    }

    /// <summary>Rejects options no balancer can be built from, naming the field (the compiler should have
    /// caught them; this keeps a bad snapshot from building a broken table).</summary>
    public static void Validate(LoadBalancingSnapshot options)
    {
        if (options.VirtualNodes < 1 || options.VirtualNodes > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VirtualNodes, "loadBalancing.virtualNodes must be between 1 and 10000");
        }

        if (options.TableSize > MaxTableSize || !MaglevTable.IsPrime(options.TableSize))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TableSize, "loadBalancing.tableSize must be a prime number up to 16777216 (e.g. 65537)");
        }

        if (!(options.BoundedLoadFactor > 0) || double.IsInfinity(options.BoundedLoadFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BoundedLoadFactor, "loadBalancing.boundedLoadFactor must be a number above 0");
        }
    }

    /// <summary>Whether the algorithm reads <see cref="PickContext.KeyHash"/>: the proxy computes a key only then.</summary>
    public static bool UsesKey(LoadBalancingAlgorithm algorithm) => algorithm is
        LoadBalancingAlgorithm.IpHash or
        LoadBalancingAlgorithm.ConsistentHash or
        LoadBalancingAlgorithm.Maglev or
        LoadBalancingAlgorithm.ConsistentHashBoundedLoad;
}
