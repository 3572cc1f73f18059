using System.Diagnostics;

namespace Ballast.Ha.Tests.Lab;

/// <summary>A program started in a lab namespace and stopped by its own process id.</summary>
public sealed class LabProcess : IAsyncDisposable
{
    private LabProcess(Process process, string logFile)
    {
        Process = process;
        LogFile = logFile;
    }

    public Process Process { get; }
    public int Pid => Process.Id;
    public string LogFile { get; }

    public static LabProcess Start(NetworkLab lab, string host, string program, IEnumerable<string> arguments, string logFile)
        => new(lab.Start(host, program, arguments, logFile), logFile);

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (Process.HasExited) return;
        Process.Kill();
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Process.HasExited) return;
        var (code, _) = await NetworkLab.RunAsync("kill", $"-TERM {Pid}");
        if (code == 0)
        {
            try
            {
                await Process.WaitForExitAsync().WaitAsync(grace);
                return;
            }
            catch (TimeoutException) { }
        }
        await KillAsync();
    }

    public string Log()
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException) { return ""; }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        Process.Dispose();
    }
}
