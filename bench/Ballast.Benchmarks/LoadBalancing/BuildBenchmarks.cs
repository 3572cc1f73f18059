using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;

namespace Ballast.Benchmarks.LoadBalancing;

/// <summary>Cost of rebuilding a balancer when a 1,000-endpoint set changes (off the hot path, but it happens on
/// every health flip): the Maglev table (65,537 slots), the consistent-hash ring (150 points per weight unit),
/// and the smooth weighted round-robin cycle.</summary>
[MemoryDiagnoser]
public class BuildBenchmarks
{
    private ImmutableArray<EndpointState> _endpoints;

    [Params(1000)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup() => _endpoints = BenchmarkPool.Create(Endpoints);

    [Benchmark]
    public ILoadBalancer MaglevTable() => Build(LoadBalancingAlgorithm.Maglev);

    [Benchmark]
    public ILoadBalancer HashRing() => Build(LoadBalancingAlgorithm.ConsistentHash);

    [Benchmark]
    public ILoadBalancer SmoothWeightedCycle() => Build(LoadBalancingAlgorithm.WeightedRoundRobin);

    private ILoadBalancer Build(LoadBalancingAlgorithm algorithm) =>
        LoadBalancerRegistry.Create(_endpoints, new LoadBalancingSnapshot { Algorithm = algorithm });
}
