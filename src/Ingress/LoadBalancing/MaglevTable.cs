using System.Collections.Immutable;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// The lookup table of Google's Maglev (Eisenbud et al., NSDI 2016, §3.4): every endpoint has a permutation of
/// the M slots, <c>(offset + j·skip) mod M</c> with offset and skip from two hashes of its id (M prime, so every
/// skip in [1, M) visits every slot); endpoints take turns claiming their next unclaimed preferred slot until
/// the table is full. Weighted as in Envoy: in turn t an endpoint may claim a slot only while it holds fewer than
/// t·weight/maxWeight, so slot counts follow the weights. Build: O(M log M) expected plus n per turn.
/// </summary>
internal static class MaglevTable
{
    public static int[] Build(ImmutableArray<EndpointState> endpoints, int size)
    {
        var n = endpoints.Length;
        var weights = Weights.Reduced(endpoints);
        long maxWeight = weights.Max();
        var position = new int[n]; // current slot of each endpoint's permutation: offset + j·skip mod size
        var skip = new int[n];
        for (var i = 0; i < n; i++)
        {
            var id = MemoryMarshal.AsBytes(endpoints[i].Id.AsSpan());
            position[i] = (int)(XxHash3.HashToUInt64(id, seed: 0xBA11A57) % (ulong)size);
            skip[i] = (int)(XxHash3.HashToUInt64(id, seed: 0x5EED) % (ulong)(size - 1)) + 1;
        }

        var claimed = new long[n];  // slots held
        var table = new int[size];
        Array.Fill(table, -1);
        var filled = 0;
        for (long turn = 1; filled < size; turn++)
        {
            for (var i = 0; i < n && filled < size; i++)
            {
                if (claimed[i] * maxWeight >= turn * weights[i])
                {
                    continue; // already at its weighted share for this turn
                }

                // Next unclaimed slot of i's permutation; stepping by addition keeps division out of the loop.
                var slot = position[i];
                while (table[slot] >= 0)
                {
                    slot += skip[i];
                    if (slot >= size)
                    {
                        slot -= size;
                    }
                }

                table[slot] = i;
                var following = slot + skip[i];
                position[i] = following >= size ? following - size : following;
                claimed[i]++;
                filled++;
            }
        }

        return table;
    }

    public static bool IsPrime(int value)
    {
        if (value < 2)
        {
            return false;
        }

        for (var d = 2; (long)d * d <= value; d++)
        {
            if (value % d == 0)
            {
                return false;
            }
        }

        return true;
    }

    public static int NextPrime(int value)
    {
        while (!IsPrime(value))
        {
            value++;
        }

        return value;
    }
}
