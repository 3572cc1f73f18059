using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Maglev hashing: the key's hash modulo the table size indexes a prebuilt table (<see cref="MaglevTable"/>),
/// O(1) per pick. Near-perfect balance and minimal disruption on change. No key: a random slot (so weights hold).
/// Avoid: the following slots until another endpoint's (expected ~1 step with many endpoints).
/// </summary>
internal sealed class MaglevBalancer : ILoadBalancer
{
    private readonly EndpointState[] _table;
    private readonly Random _random;

    public MaglevBalancer(ImmutableArray<EndpointState> endpoints, int tableSize, Random random)
    {
        Endpoints = endpoints;
        // The table must hold at least one slot per endpoint: a configured size below the endpoint count grows to
        // the next prime above it (Maglev wants M ≫ N; the default 65,537 suits up to a few hundred endpoints).
        var size = tableSize >= endpoints.Length ? tableSize : MaglevTable.NextPrime(endpoints.Length);
        var owners = MaglevTable.Build(endpoints, size);
        _table = new EndpointState[owners.Length];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            _table[slot] = endpoints[owners[slot]];
        }

        _random = random;
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var table = _table;
        var slot = context.HasKey ? (int)(context.KeyHash % (ulong)table.Length) : _random.Next(table.Length);
        var chosen = table[slot];
        if (ReferenceEquals(chosen, context.Avoid) && Endpoints.Length > 1)
        {
            do
            {
                slot = slot + 1 == table.Length ? 0 : slot + 1;
                chosen = table[slot];
            }
            while (ReferenceEquals(chosen, context.Avoid));
        }

        return chosen;
    }
}
