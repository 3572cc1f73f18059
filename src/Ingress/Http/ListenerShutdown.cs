using System.Net;

namespace Ballast.Ingress.Http;

/// <summary>Where a replica is in its own shutdown (see <c>IngressHost.ShutdownAsync</c>).</summary>
public enum ShutdownPhase
{
    Serving,
    /// <summary>Not ready any more (the Service stops sending) but serving everything as usual: the grace period.</summary>
    Draining,
    /// <summary>Keep-alive connections are closed after their current request (HTTP/1.1 <c>Connection: close</c>, HTTP/2 GOAWAY).</summary>
    Closing,
}

/// <summary>
/// The replica's shutdown phase, read by the proxy on every request (one volatile read) and by readiness.
/// During <see cref="ShutdownPhase.Closing"/> each proxied request asks Kestrel to close its connection once the
/// response is done, so clients move their keep-alive connections elsewhere without meeting a reset.
/// The same happens, while the replica serves on, to the connections made to an address that moved to another node
/// (<see cref="MovedAway"/>: a virtual IP that keepalived handed to the peer).
/// </summary>
public sealed class ListenerShutdown
{
    private volatile int _phase;
    private volatile IPAddress[]? _movedAway;

    public ShutdownPhase Phase => (ShutdownPhase)_phase;

    public bool Closing => _phase == (int)ShutdownPhase.Closing;

    /// <summary>Moves forward only (a second signal cannot bring a closing replica back to draining).</summary>
    public void Enter(ShutdownPhase phase)
    {
        int current;
        do
        {
            current = _phase;
            if (current >= (int)phase) return;
        }
        while (Interlocked.CompareExchange(ref _phase, (int)phase, current) != current);
    }

    /// <summary>
    /// Local addresses this replica still accepts connections on but no longer holds: another node now receives the
    /// new connections to them, and the open ones reach this replica only through it (docs/ha.md). Each of those
    /// connections is closed after its next response, so its client reconnects to the address's new holder. Empty: none.
    /// </summary>
    public IReadOnlyCollection<IPAddress> MovedAway
    {
        get => _movedAway ?? [];
        set => _movedAway = value.Count == 0 ? null : [.. value.Select(Plain)];
    }

    /// <summary>Whether the request's connection closes after this response: the replica is closing, or the
    /// connection was made to an address that moved away. One volatile read each when neither holds.</summary>
    public bool ClosesConnectionOf(HttpContext context) =>
        Closing || (_movedAway is { } moved && context.Connection.LocalIpAddress is { } local && Array.IndexOf(moved, Plain(local)) >= 0);

    /// <summary>Called by the proxy for every request while closing.</summary>
    public static void CloseAfterResponse(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();

    // A listener on [::] sees IPv4 clients' connections on IPv4-mapped addresses.
    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
