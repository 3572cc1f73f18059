using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Acme.Tests.Support;

/// <summary>A started program whose output we keep (for failure messages) and which we stop by its pid.</summary>
internal sealed class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public string Name { get; }
    public int Pid => _process.Id;

    private ExternalProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public static ExternalProcess Start(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        // Never inherited: validation must really happen (issue 8 forbids the always-valid switch in these tests).
        info.Environment.Remove("PEBBLE_VA_ALWAYS_VALID");
        var process = new Process { StartInfo = info };
        var self = new ExternalProcess(Path.GetFileName(path), process);
        process.OutputDataReceived += (_, e) => self.Append(e.Data);
        process.ErrorDataReceived += (_, e) => self.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Polls until something accepts TCP connections on the port (deadline, no fixed sleep).</summary>
    public async Task WaitForTcpAsync(int port, TimeSpan deadline)
    {
        await Eventually.True(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before listening on {port}:\n{Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, $"{Name} listening on 127.0.0.1:{port}", deadline);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
