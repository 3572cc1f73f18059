using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Keeps every log line of a category prefix, formatted, for assertions on transition lines.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly string _prefix;

    public CapturedLogs(string prefix = "Ballast.Health") => _prefix = prefix;

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => category.StartsWith(owner._prefix, StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
