using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Kestrel's own log events (name and exception message), at every level, for one ingress host: how a test learns
/// which defense Kestrel applied at the moment it decided, e.g. <c>Http2QueueOperationsExceeded</c>. Kestrel's
/// connection-end metric says the same only once the connection is disposed, after all its streams drained, which
/// on a loaded machine can take longer than a test should wait.
/// </summary>
public sealed class KestrelEvents : ILoggerProvider
{
    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>Wires this provider into the host's logging, below the host's Error filter for Kestrel.</summary>
    public void AddTo(ILoggingBuilder logging)
    {
        logging.AddProvider(this);
        logging.AddFilter<KestrelEvents>(KestrelCategory, LogLevel.Trace);
    }

    /// <summary>"EventName: exception message" per event, in order.</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(KestrelCategory, StringComparison.Ordinal) ? new Recorder(Events) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose() { }

    private sealed class Recorder(ConcurrentQueue<string> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            events.Enqueue($"{eventId.Name}: {exception?.Message}");
    }
}
