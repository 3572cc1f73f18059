namespace Ballast.Ingress.L4.Udp;

/// <summary>
/// The datagrams of a client whose session is still being placed (its first datagram's placement waits on the
/// shared flow table). Bounded: past <see cref="Capacity"/> a datagram is dropped, as a full socket buffer would drop it.
/// </summary>
internal sealed class PendingSession
{
    public const int Capacity = 64;

    private readonly Lock _lock = new();
    private List<byte[]>? _held = [];

    /// <summary>Keeps a copy of <paramref name="payload"/>, or drops it (full, or the session opened meanwhile).</summary>
    public void Hold(ReadOnlySpan<byte> payload)
    {
        lock (_lock)
        {
            if (_held is not null && _held.Count < Capacity) _held.Add(payload.ToArray());
        }
    }

    /// <summary>The held datagrams, oldest first; later <see cref="Hold"/> calls are refused.</summary>
    public IReadOnlyList<byte[]> Close()
    {
        lock (_lock)
        {
            var held = _held ?? [];
            _held = null;
            return held;
        }
    }
}
