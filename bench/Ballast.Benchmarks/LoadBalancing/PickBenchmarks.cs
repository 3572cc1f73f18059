using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;

namespace Ballast.Benchmarks.LoadBalancing;

/// <summary>Cost of one <see cref="ILoadBalancer.Pick"/> per algorithm and pool size (production defaults:
/// Random.Shared, the system clock). Each invocation is 1,024 picks over distinct keys, reported per pick.</summary>
[MemoryDiagnoser]
public class PickBenchmarks
{
    private const int Picks = 1024;

    private ILoadBalancer _balancer = null!;
    private PickContext[] _contexts = null!;

    [Params(
        LoadBalancingAlgorithm.RoundRobin,
        LoadBalancingAlgorithm.WeightedRoundRobin,
        LoadBalancingAlgorithm.Random,
        LoadBalancingAlgorithm.WeightedRandom,
        LoadBalancingAlgorithm.LeastConnections,
        LoadBalancingAlgorithm.WeightedLeastConnections,
        LoadBalancingAlgorithm.PowerOfTwoChoices,
        LoadBalancingAlgorithm.LeastResponseTime,
        LoadBalancingAlgorithm.IpHash,
        LoadBalancingAlgorithm.ConsistentHash,
        LoadBalancingAlgorithm.Maglev,
        LoadBalancingAlgorithm.ConsistentHashBoundedLoad)]
    public LoadBalancingAlgorithm Algorithm { get; set; }

    [Params(3, 100, 1000)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ImmutableArray<EndpointState> endpoints = BenchmarkPool.Create(Endpoints);
        _balancer = LoadBalancerRegistry.Create(endpoints, new LoadBalancingSnapshot { Algorithm = Algorithm });
        _contexts = [.. Enumerable.Range(0, Picks).Select(i => new PickContext(HashKey.Of($"client-{i}")))];
    }

    [Benchmark(OperationsPerInvoke = Picks)]
    public EndpointState? Pick()
    {
        var balancer = _balancer;
        EndpointState? last = null;
        foreach (ref readonly var context in _contexts.AsSpan())
        {
            last = balancer.Pick(in context);
        }

        return last;
    }
}
