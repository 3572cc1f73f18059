namespace Ballast.Ingress.Endpoints;

/// <summary>Load part of an <see cref="EndpointState"/>: requests (or L4 connections) currently served.</summary>
public sealed class EndpointLoad
{
    private int _inFlight;

    /// <summary>Requests (or L4 connections) currently being served by the endpoint.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void Increment() => Interlocked.Increment(ref _inFlight);

    internal void Decrement() => Interlocked.Decrement(ref _inFlight);
}
