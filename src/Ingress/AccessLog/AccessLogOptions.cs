namespace Ballast.Ingress.AccessLog;

/// <summary>The process side of access logs (what the resources do not say): queue size, randomness, standard output.</summary>
public sealed record AccessLogOptions
{
    /// <summary>Entries waiting for the writer; past this, new entries are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 16_384;
    /// <summary>Draws for ratio sampling; null: <see cref="System.Random.Shared"/>. A seeded one makes the sample repeatable (drawn under a lock).</summary>
    public Random? Random { get; init; }
    /// <summary>Where lines for standard output go; null: the process's standard output.</summary>
    public Func<Stream>? StandardOutput { get; init; }
}
