using System.Collections.Concurrent;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// The open L4 connections of a replica, so draining works as it does for L7: an endpoint that leaves its
/// pool (or is marked draining) keeps its open connections until its drainTimeout, then they are closed.
/// </summary>
public sealed class L4ConnectionTracker
{
    private readonly ConcurrentDictionary<L4Connection, byte> _open = new();

    public int Count => _open.Count;

    internal void Add(L4Connection connection) => _open.TryAdd(connection, 0);
    internal void Remove(L4Connection connection) => _open.TryRemove(connection, out _);
    internal ICollection<L4Connection> Snapshot() => _open.Keys;

    /// <summary>Open connections to <paramref name="endpoint"/> now.</summary>
    public int CountFor(EndpointState endpoint) => _open.Keys.Count(c => c.Endpoint == endpoint);

    /// <summary>
    /// New connections stop reaching the endpoint once the pool's balancer no longer offers it (the caller's job);
    /// this closes the ones still open after <paramref name="drainTimeout"/>. Returns a task that ends then.
    /// </summary>
    public async Task DrainAsync(EndpointState endpoint, TimeSpan drainTimeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        await Task.Delay(drainTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        foreach (var connection in _open.Keys)
        {
            if (connection.Endpoint == endpoint) connection.Abort();
        }
    }
}
