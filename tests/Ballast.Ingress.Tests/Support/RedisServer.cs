using System.Diagnostics;
using System.Net.Sockets;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, no persistence, daemonized with a pid file; stopped by its
/// pid. <see cref="StopAsync"/> and <see cref="RestartAsync"/> on the same port simulate an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ballast-redis-").FullName;
    private int? _pid;

    private readonly string? _password;

    private RedisServer(int port, string? password)
    {
        Port = port;
        _password = password;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    private string PidFile => Path.Combine(_dir, "redis.pid");

    /// <param name="password">Clients must AUTH with it (<c>--requirepass</c>); null: no password.</param>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var server = new RedisServer(FreePort.Next(), password);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (or starts again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task RestartAsync()
    {
        var program = ExternalTool.Require("redis-server");
        File.Delete(PidFile);
        var start = new ProcessStartInfo(program)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "yes", "--pidfile", PidFile, "--dir", _dir, "--logfile", Path.Combine(_dir, "redis.log") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(_password);
        }
        using (var process = Process.Start(start)!)
        {
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }
        // Daemonized: up once its pid file is written and its port answers.
        _pid = await Eventually.GetAsync<int?>(async () =>
                File.Exists(PidFile) && int.TryParse((await File.ReadAllTextAsync(PidFile)).Trim(), out var pid) && Answers() ? pid : (int?)null,
            pid => pid is not null, $"redis-server answering on {Endpoint}", TimeSpan.FromSeconds(10));
    }

    public async Task StopAsync()
    {
        if (_pid is not { } pid) return;
        _pid = null;
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException) { } // already gone
        await Eventually.True(() => !Answers(), $"redis-server on {Endpoint} no longer answering", TimeSpan.FromSeconds(10));
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            stream.ReadTimeout = 1000;
            var read = stream.Read(buffer);
            return read > 0 && (buffer[0] == (byte)'+' || (_password is not null && buffer[0] == (byte)'-')); // -NOAUTH: up, wants a password
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
