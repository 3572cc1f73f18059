namespace Ballast.Ingress.AccessLog;

/// <summary>
/// Where one destination's lines go: standard output, or a file appended to that is reopened when asked (after an
/// outside rotation moved it: SIGUSR1) and rotated by size (FILE → FILE.1, FILE.1 → FILE.2 … up to keepFiles).
/// Used only from the writer's thread.
/// </summary>
internal sealed class AccessLogFile : IDisposable
{
    private readonly string? _path;
    private readonly Func<Stream> _standardOutput;
    private readonly ILogger _logger;
    private Stream? _stream;
    private long _size;
    private bool _failing;

    public AccessLogFile(string? path, Func<Stream> standardOutput, ILogger logger)
    {
        _path = path;
        _standardOutput = standardOutput;
        _logger = logger;
    }

    public long? MaxBytes { get; set; }
    public int KeepFiles { get; set; } = 5;

    /// <summary>Writes whole lines; false when the destination cannot be written (the lines are lost, the caller counts them).</summary>
    public bool Write(ReadOnlySpan<byte> lines)
    {
        if (MaxBytes is null || _path is null) return WriteChunk(lines);
        // A size limit rotates between lines: write line by line so no file grows past it (unless one line is larger).
        var ok = true;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n') + 1;
            if (end == 0) end = lines.Length;
            if (Open() is null) return false; // knows the file's size from here on
            if (_size > 0 && _size + end > MaxBytes) Rotate();
            ok &= WriteChunk(lines[..end]);
            lines = lines[end..];
        }
        return ok;
    }

    private bool WriteChunk(ReadOnlySpan<byte> bytes)
    {
        if (Open() is not { } stream) return false;
        try
        {
            stream.Write(bytes);
            _size += bytes.Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Failed(e);
            Close();
            return false;
        }
    }

    public void Flush()
    {
        try { _stream?.Flush(); }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { Failed(e); Close(); }
    }

    /// <summary>Closes the file; the next line opens it again at its path (a new file when it was moved away).</summary>
    public void Reopen()
    {
        if (_path is null) return;
        Flush();
        Close();
    }

    private Stream? Open()
    {
        if (_stream is not null) return _stream;
        try
        {
            if (_path is null) return _stream = _standardOutput();
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            // FileShare.Delete: an outside rotation may rename or remove the file while it is open.
            var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _size = file.Length;
            if (_failing) _logger.LogInformation("Access log {Path}: writable again.", _path);
            _failing = false;
            return _stream = file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed(e);
            return null;
        }
    }

    private void Rotate()
    {
        Flush();
        Close();
        try
        {
            for (var i = KeepFiles - 1; i >= 1; i--)
            {
                var older = $"{_path}.{i}";
                if (File.Exists(older)) File.Move(older, $"{_path}.{i + 1}", overwrite: true);
            }
            File.Move(_path!, $"{_path}.1", overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed(e);
        }
        _size = 0;
    }

    private void Failed(Exception e)
    {
        // One line when the destination breaks, not one per entry.
        if (!_failing) _logger.LogError("Access log {Destination}: {Error} (lines are dropped and counted until it works again).", _path ?? "stdout", e.Message);
        _failing = true;
    }

    private void Close()
    {
        if (_stream is null) return;
        if (_path is not null) _stream.Dispose(); // standard output stays open for the process
        _stream = null;
    }

    public void Dispose()
    {
        Flush();
        if (_path is not null) _stream?.Dispose();
        _stream = null;
    }
}
