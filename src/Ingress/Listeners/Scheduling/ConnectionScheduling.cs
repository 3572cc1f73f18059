namespace Ballast.Ingress.Listeners.Scheduling;

/// <summary>Where a connection's socket completions and request processing run.</summary>
public enum ConnectionScheduling
{
    /// <summary>
    /// On the socket thread that read the bytes (Kestrel's <c>UnsafePreferInlineScheduling</c>): no hand-off to a
    /// thread-pool worker per request. Best for HTTP/1.x, where one request at a time runs per connection: a worker
    /// woken for every request spins before it sleeps again, which at low load cost about half the CPU per request.
    /// </summary>
    Inline,
    /// <summary>
    /// Kestrel's default: reads are handed to the thread pool and sends go through the transport's I/O queues. Best for
    /// HTTP/2, where many streams' frames are written by many workers: the I/O queue gathers them into one send, while
    /// inline every flush is a send of its own (measured: h2c 24–31k requests per proxy CPU-second inline against
    /// 37–40k queued, bench/tools/h2c-inline-ab.sh).
    /// </summary>
    ThreadPool,
}

/// <summary>How the listeners choose <see cref="ConnectionScheduling"/>.</summary>
public enum ConnectionSchedulingMode
{
    /// <summary>Per connection, from its first bytes (<see cref="FirstBytes"/>): HTTP/2 prior knowledge queued, the rest inline.</summary>
    PerConnection,
    /// <summary>Every connection inline.</summary>
    Inline,
    /// <summary>Every connection on the thread pool (Kestrel's default).</summary>
    ThreadPool,
}

/// <summary>The scheduling a connection was given; set by the transport on every connection it accepts.</summary>
public interface IConnectionSchedulingFeature
{
    ConnectionScheduling Scheduling { get; }
}

internal sealed class ConnectionSchedulingFeature(ConnectionScheduling scheduling) : IConnectionSchedulingFeature
{
    public static readonly ConnectionSchedulingFeature Inline = new(ConnectionScheduling.Inline);
    public static readonly ConnectionSchedulingFeature ThreadPool = new(ConnectionScheduling.ThreadPool);

    public ConnectionScheduling Scheduling { get; } = scheduling;

    public static ConnectionSchedulingFeature Of(ConnectionScheduling scheduling) =>
        scheduling == ConnectionScheduling.Inline ? Inline : ThreadPool;
}
