using System.Buffers;
using System.Threading.Channels;
using Prometheus;

namespace Ballast.Ingress.AccessLog;

/// <summary>
/// The bounded queue between the request path and the files: <see cref="TryAdd"/> never waits (a full queue drops
/// the entry and counts it in <c>ballast_access_log_dropped_total</c>); one writer task wakes on the first entry, lets
/// a batch gather for <see cref="AccessLogOptions.BatchWindow"/>, then formats and writes what is queued and flushes.
/// <see cref="Reopen"/> (SIGUSR1) reopens every file.
/// </summary>
public sealed class AccessLogQueue : IAsyncDisposable
{
    private readonly Channel<AccessLogEntry> _channel;
    private readonly Counter _dropped;
    private readonly Counter _written;
    private readonly Func<Stream> _standardOutput;
    private readonly ILogger _logger;
    private readonly Dictionary<string, AccessLogFile> _files = new(StringComparer.Ordinal);
    private readonly AccessLogFormatter _formatter = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly TimeSpan _batchWindow;
    private readonly Task _writer;
    private volatile bool _reopen;

    public AccessLogQueue(AccessLogOptions options, CollectorRegistry registry, ILogger logger)
    {
        _channel = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            // TryWrite never waits: with Wait it returns false on a full queue, which is what we count.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _dropped = factory.CreateCounter("ballast_access_log_dropped_total",
            "Access-log lines lost: the queue to the writer was full, or the destination could not be written.");
        _written = factory.CreateCounter("ballast_access_log_lines_total", "Access-log lines written.");
        _standardOutput = options.StandardOutput ?? Console.OpenStandardOutput;
        _logger = logger;
        _batchWindow = options.BatchWindow;
        _writer = Task.Run(WriteLoopAsync);
    }

    public double Dropped => _dropped.Value;
    public double Written => _written.Value;

    /// <summary>Queues the entry, or drops and counts it when the queue is full. Never blocks.</summary>
    public void TryAdd(AccessLogEntry entry)
    {
        if (!_channel.Writer.TryWrite(entry)) _dropped.Inc();
    }

    /// <summary>Reopen every file before the next line (after logrotate moved them; SIGUSR1).</summary>
    public void Reopen()
    {
        _reopen = true;
        _logger.LogInformation("Access logs: reopening files.");
    }

    private async Task WriteLoopAsync()
    {
        var reader = _channel.Reader;
        var touched = new HashSet<AccessLogFile>();
        while (await reader.WaitToReadAsync())
        {
            // Let the batch gather (see AccessLogOptions.BatchWindow); entries added meanwhile wake nobody.
            if (_batchWindow > TimeSpan.Zero) await Task.Delay(_batchWindow);
            if (_reopen)
            {
                _reopen = false;
                foreach (var file in _files.Values) file.Reopen();
            }
            // Drain what is queued now: consecutive lines for one destination go out in one write (up to ~64 KiB),
            // then every destination written to is flushed once.
            AccessLogFile? pending = null;
            var lines = 0;
            while (reader.TryRead(out var entry))
            {
                var file = FileFor(entry);
                if (pending is not null && (file != pending || _buffer.WrittenCount >= 60 * 1024))
                {
                    Send(pending, lines);
                    lines = 0;
                }
                pending = file;
                try
                {
                    // Formatted aside first: a failure cannot leave half a line in the batch.
                    _line.ResetWrittenCount();
                    _formatter.Write(entry, _line);
                    _buffer.Write(_line.WrittenSpan);
                    lines++;
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
                {
                    _logger.LogError("Access log: an entry could not be formatted: {Error}", e.Message);
                    _dropped.Inc();
                }
                touched.Add(file);
            }
            if (pending is not null) Send(pending, lines);
            foreach (var file in touched) file.Flush();
            touched.Clear();
        }
    }

    private void Send(AccessLogFile file, int lines)
    {
        if (file.Write(_buffer.WrittenSpan)) _written.Inc(lines);
        else _dropped.Inc(lines);
        _buffer.ResetWrittenCount();
    }

    private AccessLogFile FileFor(AccessLogEntry entry)
    {
        var config = entry.Config;
        if (!_files.TryGetValue(config.Destination, out var file))
            _files[config.Destination] = file = new AccessLogFile(config.File, _standardOutput, _logger);
        // Rotation settings follow the newest snapshot that names this file.
        file.MaxBytes = config.MaxFileBytes;
        file.KeepFiles = config.KeepFiles;
        return file;
    }

    /// <summary>Writes what is queued, then closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var file in _files.Values) file.Dispose();
    }
}
