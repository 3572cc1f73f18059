using System.Globalization;
using System.Runtime.InteropServices;
using Ballast.Ingress.Sources;
using Ballast.Model.Validation;

namespace Ballast.Ingress.Hosting;

/// <summary>The <c>ballast</c> command line: <c>run</c> and <c>validate</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage:
          ballast run --config DIR [--admin-port N] [--admin-address IP] [--redis HOST:PORT] [--affinity-key-file FILE]
                      [--state-dir DIR]               serve the folder's policies and pools; reload on change
          ballast --config DIR [...]                  the same
            --state-dir DIR            ACME account keys and certificates (tls.acme listeners) go to DIR/acme
                                       (default ./ballast-state)
            --redis HOST:PORT          share the affinity table with other replicas through Redis
            --affinity-key-file FILE   keys that sign affinity cookies: base64, one per line, newest first
            --admin-address IP         where the admin port (status page, /admin/*, /metrics, probes) listens:
                                       127.0.0.1 by default in this mode; 0.0.0.0 or a pod IP exposes it
          ballast run --operator URL --token-file FILE --replica-id ID [--state-dir DIR] [--admin-port N] [--admin-address IP]
                                                      a replica fed by the operator's snapshots (long-poll);
                                                      keeps the last good one in DIR (default ./ballast-state)
                                                      and starts from it when the operator is unreachable;
                                                      the admin port listens on 0.0.0.0 unless --admin-address
                                                      says otherwise (the chart passes the pod IP)
            --ingress-http-port N      where Ingress objects in the folder are served (default 8080,
            --ingress-https-port N     8443; or BALLAST_INGRESS_HTTP_PORT / BALLAST_INGRESS_HTTPS_PORT)
          ballast validate DIR                        check the folder; exit 1 on any error
          ballast migrate [--to ballast] [--allow-partial] [--report FILE] PATH...
                                                      Ingress manifests (files, folders, - for stdin) to Ballast
                                                      resources on stdout, the per-annotation report on stderr
          --log-level LEVEL            Trace, Debug, Information (default), Warning, Error, Critical or None
          --log-format text|json       a line of text (default), or a JSON object per line (the .NET JSON console
                                       formatter: UTC timestamp, level, category, message, state, and scopes with
                                       kind/namespace/name/field/file/line on lines about a resource)
          both run modes: --shutdown-grace DURATION (default 5s) --shutdown-timeout DURATION (default 20s)
            on SIGTERM (or Ctrl-C): not ready at once, keep serving for the grace period, then close keep-alive
            connections after their current request and give in-flight requests and WebSockets until the
            timeout; a second signal skips what is left of the grace period
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        var rest = command == "run" && args.Length > 0 && args[0] == "run" ? args[1..] : args;
        switch (command)
        {
            case "migrate":
                return Ballast.Model.Ingresses.Migration.MigrateCommand.Run(args[1..], Console.In, Console.Out, Console.Error);
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
        if (run.Operator is { } op) return await ServeFromOperatorAsync(run, op);
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
        using var signals = new ShutdownSignals();

        using var acmeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var host = await IngressHost.StartAsync(new IngressOptions
        {
            AdminPort = run.AdminPort,
            AdminAddress = run.AdminAddress,
            Redis = run.Redis,
            AffinityKeys = keys,
            Acme = Tls.Acme.StandaloneAcme.Options(run.StateDirectory, acmeHttp),
            Ingress = new Ballast.Model.Compilation.IngressServing(run.IngressHttpPort, run.IngressHttpsPort, UnclassedWithoutDefault: true),
            ConfigureLogging = logging => ConsoleLogging(logging, run),
        });
        var logger = host.LoggerFactory.CreateLogger("Ballast");
        using var sigusr1 = ReopenAccessLogsOnSigusr1(host);
        logger.LogInformation("Admin listener on {Admin} (status page, /admin/config, /admin/routes, /admin/explain, /metrics, /healthz, /readyz).", host.AdminUrl);
        await using var source = new FolderSnapshotSource(run.ConfigDirectory, host, TimeProvider.System, TimeSpan.FromMilliseconds(250),
            host.LoggerFactory.CreateLogger<FolderSnapshotSource>());
        await source.StartAsync();
        logger.LogInformation("Watching {Directory} for changes.", Path.GetFullPath(run.ConfigDirectory));
        await signals.First;
        logger.LogInformation("Stopping: not ready; serving for {Grace} s more, then closing connections (in-flight work gets {Timeout} s).",
            run.ShutdownGrace.TotalSeconds, run.ShutdownTimeout.TotalSeconds);
        await host.ShutdownAsync(run.ShutdownGrace, run.ShutdownTimeout, signals.Second);
        logger.LogInformation("Stopped.");
        return 0;
    }

    private static void ConsoleLogging(ILoggingBuilder logging, RunArguments run) =>
        Logging.ConsoleLogFormat.AddConsole(logging, run.LogFormat, run.LogLevel);

    /// <summary>SIGUSR1 (what logrotate's postrotate sends) reopens the access-log files. PosixSignal has no name for it: 10 on Linux.</summary>
    private static PosixSignalRegistration ReopenAccessLogsOnSigusr1(IngressHost host) =>
        PosixSignalRegistration.Create((PosixSignal)10, c =>
        {
            c.Cancel = true;
            host.AccessLog.Reopen();
        });

    private static async Task<int> ServeFromOperatorAsync(RunArguments run, OperatorArguments op)
    {
        // Read now to fail fast on a wrong path, then again before every request (the kubelet rotates the token).
        var tokenFile = new TokenFile(op.TokenFile);
        try { tokenFile.Read(); }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        using var signals = new ShutdownSignals();

        await using var host = await IngressHost.StartAsync(new IngressOptions
        {
            AdminPort = run.AdminPort,
            AdminAddress = run.AdminAddress,
            ConfigureLogging = logging => ConsoleLogging(logging, run),
        });
        var logger = host.LoggerFactory.CreateLogger("Ballast");
        using var sigusr1 = ReopenAccessLogsOnSigusr1(host);
        logger.LogInformation("Admin listener on {Admin} (status page, /admin/config, /admin/routes, /admin/explain, /metrics, /healthz, /readyz).", host.AdminUrl);
        Directory.CreateDirectory(op.StateDirectory);
        await using var source = new OperatorSnapshotSource(op.Url, tokenFile.Read, op.ReplicaId, op.StateDirectory, host, TimeProvider.System,
            host.LoggerFactory.CreateLogger<OperatorSnapshotSource>());
        source.Start();
        logger.LogInformation("Replica {Replica} following {Operator}; last good snapshot in {State}.", op.ReplicaId, op.Url, Path.GetFullPath(op.StateDirectory));
        await signals.First;
        logger.LogInformation("Stopping: not ready; serving for {Grace} s more, then closing connections (in-flight work gets {Timeout} s).",
            run.ShutdownGrace.TotalSeconds, run.ShutdownTimeout.TotalSeconds);
        await host.ShutdownAsync(run.ShutdownGrace, run.ShutdownTimeout, signals.Second);
        logger.LogInformation("Stopped.");
        return 0;
    }
}

/// <summary>Operator mode of <c>ballast run</c>: where the snapshots come from and where the last good one is kept.</summary>
public sealed record OperatorArguments(Uri Url, string TokenFile, string ReplicaId, string StateDirectory);

/// <summary>The options of <c>ballast run</c> (<see cref="Operator"/> set: operator mode, no config folder).</summary>
public sealed record RunArguments(string ConfigDirectory, int AdminPort)
{
    /// <summary><c>--admin-address</c>: loopback by default in standalone mode, every address in operator mode (a pod's probes and scrapes).</summary>
    public System.Net.IPAddress AdminAddress { get; init; } = System.Net.IPAddress.Loopback;
    public Redis.RedisOptions? Redis { get; init; }
    public string? AffinityKeyFile { get; init; }
    public OperatorArguments? Operator { get; init; }
    /// <summary>Standalone: where ACME keeps account keys and certificates (under <c>acme/</c>).</summary>
    public string StateDirectory { get; init; } = "ballast-state";
    /// <summary>Where Ingress objects are served: <c>--ingress-http-port</c> / <c>BALLAST_INGRESS_HTTP_PORT</c> (default 8080, the chart's container port).</summary>
    public int IngressHttpPort { get; init; } = 8080;
    /// <summary><c>--ingress-https-port</c> / <c>BALLAST_INGRESS_HTTPS_PORT</c> (default 8443).</summary>
    public int IngressHttpsPort { get; init; } = 8443;
    /// <summary>The least severe log level written (<c>--log-level</c>; the chart's <c>ingress.logLevel</c>).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary><c>--log-format</c>: text (default) or json (the chart's <c>logFormat</c>).</summary>
    public string LogFormat { get; init; } = Logging.ConsoleLogFormat.Text;
    /// <summary>After SIGTERM: how long the replica keeps serving, not ready, while traffic moves away.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>After the grace period: how long in-flight requests and WebSockets may take before they are aborted.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static bool TryParse(string[] args, out RunArguments result, out string error)
    {
        string? config = null, operatorUrl = null, tokenFile = null, replicaId = null, stateDir = null;
        var adminPort = 9901;
        System.Net.IPAddress? adminAddress = null;
        if (!Port(Environment.GetEnvironmentVariable("BALLAST_INGRESS_HTTP_PORT"), "BALLAST_INGRESS_HTTP_PORT", 8080, out var ingressHttp, out error)
            || !Port(Environment.GetEnvironmentVariable("BALLAST_INGRESS_HTTPS_PORT"), "BALLAST_INGRESS_HTTPS_PORT", 8443, out var ingressHttps, out error))
        {
            result = null!;
            return false;
        }
        Redis.RedisOptions? redis = null;
        string? keyFile = null;
        var logLevel = LogLevel.Information;
        var logFormat = Logging.ConsoleLogFormat.Text;
        TimeSpan grace = TimeSpan.FromSeconds(5), timeout = TimeSpan.FromSeconds(20);
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
                case "--operator" when value is not null:
                    operatorUrl = value;
                    i++;
                    break;
                case "--token-file" when value is not null:
                    tokenFile = value;
                    i++;
                    break;
                case "--replica-id" when value is not null:
                    replicaId = value;
                    i++;
                    break;
                case "--state-dir" when value is not null:
                    stateDir = value;
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
                case "--admin-address" when value is not null:
                    // An address as people write it: dotted IPv4 or IPv6 (IPAddress alone also takes "1" for 0.0.0.1).
                    if (!(value.Contains('.', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal)) || !System.Net.IPAddress.TryParse(value, out adminAddress))
                    {
                        error = $"--admin-address: '{value}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)";
                        return false;
                    }
                    i++;
                    break;
                case "--redis" when value is not null:
                    if (!Ballast.Ingress.Redis.RedisOptions.TryParse(value, out redis, out error)) return false;
                    i++;
                    break;
                case "--ingress-http-port" when value is not null:
                    if (!Port(value, "--ingress-http-port", 8080, out ingressHttp, out error)) return false;
                    i++;
                    break;
                case "--ingress-https-port" when value is not null:
                    if (!Port(value, "--ingress-https-port", 8443, out ingressHttps, out error)) return false;
                    i++;
                    break;
                case "--shutdown-grace" when value is not null:
                    if (!TryDuration("--shutdown-grace", value, out grace, out error)) return false;
                    i++;
                    break;
                case "--shutdown-timeout" when value is not null:
                    if (!TryDuration("--shutdown-timeout", value, out timeout, out error)) return false;
                    i++;
                    break;
                case "--affinity-key-file" when value is not null:
                    keyFile = value;
                    i++;
                    break;
                case "--log-level" when value is not null:
                    if (!Enum.TryParse(value, ignoreCase: true, out logLevel) || !Enum.IsDefined(logLevel) || int.TryParse(value, out _))
                    {
                        error = $"--log-level: '{value}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}";
                        return false;
                    }
                    i++;
                    break;
                case "--log-format" when value is not null:
                    if (!Logging.ConsoleLogFormat.IsKnown(value))
                    {
                        error = $"--log-format: '{value}' is not one of text, json";
                        return false;
                    }
                    logFormat = value;
                    i++;
                    break;
                default:
                    error = $"unknown or incomplete argument '{args[i]}'";
                    return false;
            }
        }
        if (operatorUrl is not null)
        {
            if (config is not null) { error = "--config and --operator: choose one source of configuration"; return false; }
            if (!Uri.TryCreate(operatorUrl.EndsWith('/') ? operatorUrl : operatorUrl + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                error = $"--operator: '{operatorUrl}' is not an http(s) URL";
                return false;
            }
            if (tokenFile is null) { error = "--token-file FILE is required with --operator"; return false; }
            if (replicaId is null) { error = "--replica-id ID is required with --operator"; return false; }
            result = new RunArguments("", adminPort)
            {
                Operator = new OperatorArguments(url, tokenFile, replicaId, stateDir ?? "ballast-state"),
                AdminAddress = adminAddress ?? System.Net.IPAddress.Any,
                ShutdownGrace = grace,
                LogLevel = logLevel,
                LogFormat = logFormat,
                ShutdownTimeout = timeout,
            };
            return true;
        }
        if (tokenFile is not null || replicaId is not null)
        {
            error = "--token-file and --replica-id go with --operator";
            return false;
        }
        if (config is null)
        {
            error = "--config DIR (or --operator URL) is required";
            return false;
        }
        result = new RunArguments(config, adminPort)
        {
            AdminAddress = adminAddress ?? System.Net.IPAddress.Loopback,
            Redis = redis,
            AffinityKeyFile = keyFile,
            StateDirectory = stateDir ?? "ballast-state",
            ShutdownGrace = grace,
            LogLevel = logLevel,
            LogFormat = logFormat,
            ShutdownTimeout = timeout,
            IngressHttpPort = ingressHttp,
            IngressHttpsPort = ingressHttps,
        };
        return true;
    }

    /// <summary>A port from a flag or the environment (null or empty: the default).</summary>
    private static bool Port(string? value, string name, int fallback, out int port, out string error)
    {
        error = "";
        port = fallback;
        if (string.IsNullOrEmpty(value)) return true;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535) return true;
        error = $"{name}: '{value}' is not a port number (1-65535)";
        return false;
    }

    private static bool TryDuration(string option, string value, out TimeSpan duration, out string error)
    {
        duration = default;
        error = "";
        if (Ballast.Model.Resources.Duration.TryParse(value, out var parsed) && parsed.Value >= TimeSpan.Zero)
        {
            duration = parsed.Value;
            return true;
        }

        error = $"{option}: '{value}' is not a duration (e.g. 5s, 500ms, 1m)";
        return false;
    }
}
