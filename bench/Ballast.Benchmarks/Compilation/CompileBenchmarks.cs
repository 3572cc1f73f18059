using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using BenchmarkDotNet.Attributes;

namespace Ballast.Benchmarks.Compilation;

/// <summary>
/// Compile time of a large desired state (issue 7's target: 1,000 pools and 1,000 policies under 1 s): every
/// reconcile recompiles everything, so this is the operator's cost per change.
/// Each policy has an HTTP listener on a shared port, one host and two routes (a prefix and a canary split).
/// </summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private CompilerInput _input = new();

    [Params(1000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var pools = Enumerable.Range(0, Size).Select(i => new BackendPool
        {
            Metadata = new ResourceMetadata { Name = $"pool-{i}", Namespace = $"team-{i % 50}", Generation = 1 },
            Spec = new BackendPoolSpec
            {
                Endpoints = [.. Enumerable.Range(1, 3).Select(e => new StaticEndpoint { Address = $"10.{i / 250}.{i % 250}.{e}:8080" })],
                LoadBalancing = new LoadBalancingSpec { Algorithm = LoadBalancingAlgorithm.LeastConnections },
            },
        }).ToList();
        var policies = Enumerable.Range(0, Size).Select(i => new LoadBalancerPolicy
        {
            Metadata = new ResourceMetadata { Name = $"policy-{i}", Namespace = $"team-{i % 50}", Generation = 1 },
            Spec = new LoadBalancerPolicySpec
            {
                Listeners = [new ListenerSpec { Name = "http", Port = 8080, Protocol = ListenerProtocol.HTTP }],
                Routes =
                [
                    new HttpRouteSpec
                    {
                        Match = new RouteMatchSpec { Hosts = [$"app-{i}.example.com"], PathPrefix = "/api" },
                        Backends = [new WeightedBackend { Pool = $"pool-{i}", Weight = 90 }, new WeightedBackend { Pool = $"pool-{(i + 50) % Size}", Weight = 10 }],
                    },
                    new HttpRouteSpec
                    {
                        Match = new RouteMatchSpec { Hosts = [$"app-{i}.example.com"], PathPrefix = "/" },
                        Backends = [new WeightedBackend { Pool = $"pool-{i}" }],
                    },
                ],
            },
        }).ToList();
        _input = new CompilerInput { Pools = pools, Policies = policies, Version = 1 };
        var check = Compiler.Compile(_input);
        if (check.HasErrors) throw new InvalidOperationException("benchmark input does not compile: " + check.Diagnostics[0]);
    }

    [Benchmark]
    public CompileResult Compile() => Compiler.Compile(_input);
}
