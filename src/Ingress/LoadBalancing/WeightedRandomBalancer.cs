using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// A random endpoint with probability weight/total: Vose's alias table, O(1) (<see cref="AliasTable"/>).
/// Avoid (a retry, rare) uses the running sums instead: the avoided endpoint's slice is cut out of the range, so
/// the draw among the others stays exact, in O(log n).
/// </summary>
internal sealed class WeightedRandomBalancer : ILoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly CumulativeWeights _weights;
    private readonly AliasTable _alias;
    private readonly EndpointIndex _index;
    private readonly Random _random;

    public WeightedRandomBalancer(ImmutableArray<EndpointState> endpoints, Random random)
    {
        Endpoints = endpoints;
        _endpoints = [.. endpoints];
        _weights = new CumulativeWeights(endpoints);
        _alias = new AliasTable(endpoints);
        _index = new EndpointIndex(endpoints);
        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var avoid = context.Avoid is null || _endpoints.Length < 2 ? -1 : _index.Of(context.Avoid);
        if (avoid >= 0)
        {
            return _endpoints[_weights.SampleExcluding(_random, avoid)];
        }

        return _endpoints[_weights.IsUniform ? _random.Next(_endpoints.Length) : _alias.Sample(_random)];
    }
}
