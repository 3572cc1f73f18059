using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Weighted round robin, interleaved: nginx's smooth sequence (1:1:5 gives C C B C A C C, not A B C C C C C).
/// The whole cycle is computed when the balancer is built; a pick is one Interlocked increment and an array read
/// (or a binary search over weight levels for very long cycles, see <see cref="InterleavedWeightedSequence"/>).
/// </summary>
internal sealed class WeightedRoundRobinBalancer : ILoadBalancer
{
    private readonly IWeightedSequence _sequence;
    private long _next = -1; // the first Increment yields 0

    public WeightedRoundRobinBalancer(ImmutableArray<EndpointState> endpoints)
    {
        Endpoints = endpoints;
        _sequence = SmoothWeightedSequence.TryBuild(endpoints) ?? (IWeightedSequence)new InterleavedWeightedSequence(endpoints);
    }

    public ImmutableArray<EndpointState> Endpoints { get; }

    public EndpointState? Pick(in PickContext context)
    {
        var sequence = _sequence;
        var position = (ulong)Interlocked.Increment(ref _next) % (ulong)sequence.Length;
        var chosen = sequence.At(position);
        if (ReferenceEquals(chosen, context.Avoid) && Endpoints.Length > 1)
        {
            // A retry: the next different endpoint in the cycle. Both sequences repeat one endpoint at most
            // `weight` times in a row, so this loop is bounded by the avoided endpoint's weight.
            do
            {
                position = (position + 1) % (ulong)sequence.Length;
                chosen = sequence.At(position);
            }
            while (ReferenceEquals(chosen, context.Avoid));
        }

        return chosen;
    }
}

/// <summary>A cycle of endpoints in which each appears as often as its (reduced) weight.</summary>
internal interface IWeightedSequence
{
    long Length { get; }

    EndpointState At(ulong position);
}
