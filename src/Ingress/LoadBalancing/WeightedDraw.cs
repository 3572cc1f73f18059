using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Weighted random draws over one endpoint set, shared by <see cref="WeightedRandomBalancer"/> and
/// <see cref="PowerOfTwoChoicesBalancer"/>: O(1) draws from an alias table (a plain index when every weight is
/// equal), exact draws that leave one or two endpoints out from the running sums (O(log n)), and the endpoint
/// to avoid turned into an index. Built with the balancer; nothing allocated per draw.
/// </summary>
internal sealed class WeightedDraw
{
    private readonly EndpointState[] _endpoints;
    private readonly CumulativeWeights _weights;
    private readonly AliasTable _alias;
    private readonly EndpointIndex _index;
    private readonly Random _random;

    public WeightedDraw(ImmutableArray<EndpointState> endpoints, Random random)
    {
        _endpoints = [.. endpoints];
        _weights = new CumulativeWeights(endpoints);
        _alias = new AliasTable(endpoints);
        _index = new EndpointIndex(endpoints);
        _random = random;
    }

    public int Count => _endpoints.Length;

    public bool IsUniform => _weights.IsUniform;

    public EndpointState this[int index] => _endpoints[index];

    public long WeightAt(int index) => _weights.WeightAt(index);

    /// <summary>The index of <paramref name="endpoint"/>, or −1 when there is none or it is not in this set.</summary>
    public int IndexOf(EndpointState? endpoint) => _index.Of(endpoint);

    /// <summary>An index drawn with probability weight/total.</summary>
    public int Sample() => _weights.IsUniform ? _random.Next(_endpoints.Length) : _alias.Sample(_random);

    /// <summary>An index other than <paramref name="excluded"/>, weighted among the others (needs two endpoints).</summary>
    public int SampleExcluding(int excluded) => _weights.SampleExcluding(_random, excluded);

    /// <summary>An index other than <paramref name="x"/> and <paramref name="y"/>, weighted among the others (needs three).</summary>
    public int SampleExcluding(int x, int y) => _weights.SampleExcluding(_random, x, y);
}
