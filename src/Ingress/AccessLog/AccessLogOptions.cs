namespace Ballast.Ingress.AccessLog;

/// <summary>The process side of access logs (what the resources do not say): queue size, randomness, standard output.</summary>
public sealed record AccessLogOptions
{
    /// <summary>Entries waiting for the writer; past this, new entries are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 16_384;
    /// <summary>
    /// After the first entry of a quiet spell the writer waits this long before it drains the queue, so that it wakes,
    /// formats and writes once per batch rather than once per request. Without it, a busy proxy woke a thread-pool
    /// worker and made a write call for nearly every request. It bounds how late a line appears; zero writes at once.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(10);
    /// <summary>Draws for ratio sampling; null: <see cref="System.Random.Shared"/>. A seeded one makes the sample repeatable (drawn under a lock).</summary>
    public Random? Random { get; init; }
    /// <summary>Where lines for standard output go; null: the process's standard output.</summary>
    public Func<Stream>? StandardOutput { get; init; }
}
