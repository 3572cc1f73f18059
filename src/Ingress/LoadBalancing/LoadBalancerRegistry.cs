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

        random ??= Random.Shared;
        return options.Algorithm switch
        {
            LoadBalancingAlgorithm.RoundRobin => new RoundRobinBalancer(endpoints),
            LoadBalancingAlgorithm.WeightedRoundRobin => new WeightedRoundRobinBalancer(endpoints),
            _ => new RoundRobinBalancer(endpoints),
        };
    }

    /// <summary>Whether the algorithm reads <see cref="PickContext.KeyHash"/>: the proxy computes a key only then.</summary>
    public static bool UsesKey(LoadBalancingAlgorithm algorithm) => algorithm is
        LoadBalancingAlgorithm.IpHash or
        LoadBalancingAlgorithm.ConsistentHash or
        LoadBalancingAlgorithm.Maglev or
        LoadBalancingAlgorithm.ConsistentHashBoundedLoad;
}
