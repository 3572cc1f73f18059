using System.Runtime.InteropServices;
using Ballast.Ingress.Sources;
using Ballast.Model.Validation;

namespace Ballast.Ingress.Hosting;

/// <summary>
/// The <c>ballast</c> command: <c>run</c> (the default), <c>validate</c>, <c>migrate</c>, <c>version</c>, <c>help</c>.
/// Each command's options are a table (<see cref="CliOption{TDraft}"/>) that both parses and prints its <c>--help</c>.
/// </summary>
public static class CommandLine
{
    private static readonly (string Name, string Summary)[] Commands =
    [
        ("run", "serve: a folder of YAML (--config DIR, standalone) or the operator's snapshots (--operator URL)"),
        ("validate", "check manifests (files, folders, - for stdin) as `run` would load them; exit 1 on any error"),
        ("migrate", "turn ingress-nginx Ingress manifests into Ballast or Gateway API resources"),
        ("version", "print the version and the commit it was built from"),
        ("help", "this text; `ballast <command> --help` for a command's options"),
    ];

    public static string Usage => $"""
        ballast {BuildVersion.Text}: a load balancer for Kubernetes, and for a folder of YAML

        usage: ballast <command> [options]
        {string.Join("\n", Commands.Select(c => $"  {c.Name,-10}{c.Summary}"))}

        `ballast --config DIR` (options first) is `ballast run --config DIR`.
        `ballast <command> --help` lists the command's options; `ballast --version` prints the version.
        """;

    public static string RunUsage => $"""
        usage: ballast run --config DIR [options]                                   standalone
               ballast run --operator URL --token-file FILE --replica-id ID [options]  a replica fed by the operator

        Serves the listeners, routes and pools of the configuration; a change to the folder (or a new snapshot from
        the operator) is applied without dropping connections, and a change with errors is rejected while the last
        good configuration keeps serving. SIGTERM: not ready at once, serve through --shutdown-grace, then drain.
        SIGUSR1 reopens access-log files.

        options ([VARIABLE]: read from the environment when the option is not given):
        {CliOptions.Help(RunArguments.Options)}
        """;

    public static string ValidateUsage => $"""
        usage: ballast validate [--output text|json] PATH...

        PATH is a folder (its *.yaml, *.yml and *.json files, recursively), a file, or - for standard input, e.g.
          helm template my-release charts/ballast | ballast validate - samples/quickstart
        Loads and compiles everything together, as `ballast run --config` would. Errors and warnings name the file,
        line, resource and field; kinds Ballast does not read (a Deployment …) are listed once as ignored. Exit code:
        0 valid (warnings allowed), 1 errors, 2 bad usage.

        options:
        {CliOptions.Help(ValidateOptions)}
        """;

    private sealed class ValidateDraft
    {
        public bool Json { get; set; }
    }

    private static readonly CliOption<ValidateDraft>[] ValidateOptions =
    [
        new("--output", "text|json", "text lines (default), or one JSON object (diagnostics with file/line/kind/namespace/name/field)",
            (d, v) => v is "text" or "json" ? CliOptions.Set(() => d.Json = v == "json") : $"--output: '{v}' is not one of text, json"),
    ];

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "help";

    public static async Task<int> RunAsync(string[] args) => await RunAsync(args, Console.In, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        var command = args[0].StartsWith("--", StringComparison.Ordinal) && !IsHelp(args[0]) && args[0] != "--version" ? "run" : args[0];
        var rest = command == "run" && args[0] == "run" ? args[1..] : command == "run" ? args : args[1..];
        if (rest.Length > 0 && IsHelp(rest[0]) && command is "run" or "validate" or "migrate")
        {
            await stdout.WriteLineAsync(command switch
            {
                "run" => RunUsage,
                "validate" => ValidateUsage,
                _ => Ballast.Model.Ingresses.Migration.MigrateCommand.Usage,
            });
            return 0;
        }
        switch (command)
        {
            case "--help" or "-h" or "help":
                await stdout.WriteLineAsync(Usage);
                return 0;
            case "--version" or "version":
                await stdout.WriteLineAsync($"ballast {BuildVersion.Text}");
                return 0;
            case "migrate":
                return Ballast.Model.Ingresses.Migration.MigrateCommand.Run(rest, stdin, stdout, stderr);
            case "validate":
                return await ValidateAsync(rest, stdin, stdout, stderr);
            case "run":
                if (RunArguments.TryParse(rest, out var run, out var error)) return await ServeAsync(run, stderr);
                await stderr.WriteLineAsync($"ballast run: {error}\n(`ballast run --help` lists the options)");
                return 2;
            default:
                await stderr.WriteLineAsync($"ballast: unknown command '{command}'\n\n{Usage}");
                return 2;
        }
    }

    private static async Task<int> ValidateAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var draft = new ValidateDraft();
        var paths = new List<string>();
        if (!CliOptions.TryParse(ValidateOptions, args, draft, out var error, positional: paths) || paths.Count == 0)
        {
            await stderr.WriteLineAsync($"ballast validate: {(paths.Count == 0 && error == "" ? "no PATH given" : error)}\n\n{ValidateUsage}");
            return 2;
        }
        if (Validator.Sources(paths, stdin, out error) is not { } sources)
        {
            await stderr.WriteLineAsync($"ballast validate: {error}");
            return 1;
        }
        var report = Validator.Validate(Ballast.Model.Yaml.ResourceLoader.LoadSources(sources));
        return Validator.Print(report, string.Join(" ", paths), draft.Json, stdout);
    }

    private static async Task<int> ServeAsync(RunArguments run, TextWriter stderr)
    {
        if (run.Operator is { } op) return await ServeFromOperatorAsync(run, op, stderr);
        if (!Directory.Exists(run.ConfigDirectory))
        {
            Console.Error.WriteLine($"--config: {run.ConfigDirectory}: no such directory");
            return 1;
        }
        if (!TryLoadAffinityKeys(run, out var keys)) return 1;
        using var signals = new ShutdownSignals();

        using var acmeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var host = await StartHostAsync(run, HostOptions(run, keys) with
        {
            Acme = Tls.Acme.StandaloneAcme.Options(run.StateDirectory, acmeHttp),
            Ingress = new Ballast.Model.Compilation.IngressServing(run.IngressHttpPort, run.IngressHttpsPort, UnclassedWithoutDefault: true),
        }, stderr);
        if (host is null) return 1;
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

    /// <summary>
    /// What both run modes start the host with: the admin port, logging, and what active-active replicas share
    /// (Redis for the affinity table and global limits, the keys that sign affinity cookies).
    /// </summary>
    public static IngressOptions HostOptions(RunArguments run, Affinity.AffinityKeyRing? affinityKeys) => new()
    {
        AdminPort = run.AdminPort,
        AdminAddress = run.AdminAddress,
        Redis = run.Redis,
        AffinityKeys = affinityKeys,
        Tracing = run.Tracing,
        ConfigureLogging = logging => ConsoleLogging(logging, run),
    };

    /// <summary>Reads <c>--affinity-key-file</c> (none: null keys); false after printing why it cannot.</summary>
    private static bool TryLoadAffinityKeys(RunArguments run, out Affinity.AffinityKeyRing? keys)
    {
        keys = null;
        if (run.AffinityKeyFile is not { } keyFile) return true;
        try
        {
            keys = Affinity.AffinityKeyRing.Load(keyFile);
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e is FormatException ? e.Message : $"--affinity-key-file {keyFile}: {e.Message}");
            return false;
        }
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

    /// <summary>
    /// Starts the host; null after saying why when the admin listener (the one port bound at start) cannot bind, which
    /// would otherwise end the process with an unhandled exception (exit 134 and a stack trace) instead of a line naming the option.
    /// </summary>
    private static async Task<IngressHost?> StartHostAsync(RunArguments run, IngressOptions options, TextWriter stderr)
    {
        try
        {
            return await IngressHost.StartAsync(options);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await stderr.WriteLineAsync($"--admin-port {run.AdminPort}: {new System.Net.IPEndPoint(run.AdminAddress, run.AdminPort)} is already in use (another ballast, or another program)");
            return null;
        }
    }

    private static async Task<int> ServeFromOperatorAsync(RunArguments run, OperatorArguments op, TextWriter stderr)
    {
        // Read now to fail fast on a wrong path, then again before every request (the kubelet rotates the token).
        var tokenFile = new TokenFile(op.TokenFile);
        try { tokenFile.Read(); }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        if (!TryLoadAffinityKeys(run, out var keys)) return 1;
        using var signals = new ShutdownSignals();

        await using var host = await StartHostAsync(run, HostOptions(run, keys), stderr);
        if (host is null) return 1;
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
