using System.Globalization;
using System.Runtime.InteropServices;
using Ballast.Ingress.FileProvider;
using Ballast.Ingress.Hosting;
using Ballast.Model.Validation;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Cli;

/// <summary>The <c>ballast</c> command line: <c>run</c> and <c>validate</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage:
          ballast run --config DIR [--admin-port N] [--redis HOST:PORT] [--affinity-key-file FILE]
                                                      serve the folder's policies and pools; reload on change
          ballast --config DIR [...]                  the same
            --redis HOST:PORT          share the affinity table with other replicas through Redis
            --affinity-key-file FILE   keys that sign affinity cookies: base64, one per line, newest first
          ballast validate DIR                        check the folder; exit 1 on any error
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        var rest = command == "run" && args.Length > 0 && args[0] == "run" ? args[1..] : args;
        switch (command)
        {
            case "validate" when args.Length == 2:
                return Validator.Run(args[1], Console.Out);
            case "run":
                if (RunArguments.TryParse(rest, out var run, out var error)) return await ServeAsync(run);
                Console.Error.WriteLine(error);
                Console.Error.WriteLine(Usage);
                return 2;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static async Task<int> ServeAsync(RunArguments run)
    {
        if (!Directory.Exists(run.ConfigDirectory))
        {
            Console.Error.WriteLine($"--config: {run.ConfigDirectory}: no such directory");
            return 1;
        }
        Affinity.AffinityKeyRing? keys = null;
        if (run.AffinityKeyFile is { } keyFile)
        {
            try { keys = Affinity.AffinityKeyRing.Load(keyFile); }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e is FormatException ? e.Message : $"--affinity-key-file {keyFile}: {e.Message}");
                return 1;
            }
        }
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });

        await using var host = await IngressHost.StartAsync(new IngressOptions
        {
            AdminPort = run.AdminPort,
            Redis = run.Redis,
            AffinityKeys = keys,
            ConfigureLogging = logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }),
        });
        var logger = host.LoggerFactory.CreateLogger("Ballast");
        logger.LogInformation("Admin listener on port {Port} (/metrics, /healthz, /readyz).", host.AdminPort);
        await using var source = new FolderSnapshotSource(run.ConfigDirectory, host, TimeProvider.System, TimeSpan.FromMilliseconds(250),
            host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.StartAsync();
        logger.LogInformation("Watching {Directory} for changes.", Path.GetFullPath(run.ConfigDirectory));
        await stop.Task;
        logger.LogInformation("Stopping.");
        return 0;
    }
}

/// <summary>The options of <c>ballast run</c>.</summary>
public sealed record RunArguments(string ConfigDirectory, int AdminPort)
{
    public Redis.RedisOptions? Redis { get; init; }
    public string? AffinityKeyFile { get; init; }

    public static bool TryParse(string[] args, out RunArguments result, out string error)
    {
        string? config = null;
        var adminPort = 9901;
        Redis.RedisOptions? redis = null;
        string? keyFile = null;
        result = null!;
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--config" when value is not null:
                    config = value;
                    i++;
                    break;
                case "--admin-port" when value is not null:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out adminPort) || adminPort > 65535)
                    {
                        error = $"--admin-port: '{value}' is not a port number (0-65535)";
                        return false;
                    }
                    i++;
                    break;
                case "--redis" when value is not null:
                    if (!Ballast.Ingress.Redis.RedisOptions.TryParse(value, out redis, out error)) return false;
                    i++;
                    break;
                case "--affinity-key-file" when value is not null:
                    keyFile = value;
                    i++;
                    break;
                default:
                    error = $"unknown or incomplete argument '{args[i]}'";
                    return false;
            }
        }
        if (config is null)
        {
            error = "--config DIR is required";
            return false;
        }
        result = new RunArguments(config, adminPort) { Redis = redis, AffinityKeyFile = keyFile };
        return true;
    }
}
