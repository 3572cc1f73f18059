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
/// </summary>
public sealed class ListenerShutdown
{
    private volatile int _phase;

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

    /// <summary>Called by the proxy for every request while closing.</summary>
    public static void CloseAfterResponse(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
}
