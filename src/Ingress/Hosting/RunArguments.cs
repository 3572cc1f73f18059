using System.Globalization;
using Ballast.Ingress.Tracing;

namespace Ballast.Ingress.Hosting;

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
    /// <summary>OpenTelemetry tracing (<c>--tracing-endpoint</c> and friends); null: off.</summary>
    public TracingOptions? Tracing { get; init; }

    /// <summary>What the table fills in; <see cref="TryParse(string[], out RunArguments, out string)"/> checks the combination.</summary>
    public sealed class Draft
    {
        public RunArguments Run { get; set; } = new("", 9901);
        public string? Config { get; set; }
        public string? OperatorUrl { get; set; }
        public string? TokenFile { get; set; }
        public string? ReplicaId { get; set; }
        public string? StateDirectory { get; set; }
        public System.Net.IPAddress? AdminAddress { get; set; }
        public Uri? TracingEndpoint { get; set; }
        public double TracingSampleRatio { get; set; } = 1.0;
        public TracePropagation TracingPropagation { get; set; } = TracePropagation.W3C;
        public string TracingServiceName { get; set; } = "ballast";
    }

    /// <summary>Every option of <c>ballast run</c>, in the order <c>ballast run --help</c> lists them.</summary>
    public static readonly IReadOnlyList<CliOption<Draft>> Options =
    [
        new("--config", "DIR", "standalone: serve the folder's resources, reload on change", (d, v) => CliOptions.Set(() => d.Config = v)),
        new("--operator", "URL", "operator mode: follow the operator's snapshots (long-poll)", (d, v) => CliOptions.Set(() => d.OperatorUrl = v)),
        new("--token-file", "FILE", "operator mode: the ServiceAccount token presented to the operator (re-read each request)", (d, v) => CliOptions.Set(() => d.TokenFile = v)),
        new("--replica-id", "ID", "operator mode: this replica's name (the pod name)", (d, v) => CliOptions.Set(() => d.ReplicaId = v)),
        new("--state-dir", "DIR", "the last good snapshot (operator mode) and ACME keys/certificates (DIR/acme); default ./ballast-state",
            (d, v) => CliOptions.Set(() => d.StateDirectory = v)),
        new("--admin-port", "N", "the admin listener (/metrics, /healthz, /readyz); default 9901, 0: any free port",
            (d, v) => TryPort(v, "--admin-port", min: 0, out var p) is { } e ? e : CliOptions.Set(() => d.Run = d.Run with { AdminPort = p })),
        new("--admin-address", "IP", "where the admin port (status page, /admin/*, /metrics, probes) listens; default 127.0.0.1 standalone, 0.0.0.0 in operator mode",
            // An address as people write it: dotted IPv4 or IPv6 (IPAddress alone also takes "1" for 0.0.0.1).
            (d, v) => (v.Contains('.', StringComparison.Ordinal) || v.Contains(':', StringComparison.Ordinal)) && System.Net.IPAddress.TryParse(v, out var address)
                ? CliOptions.Set(() => d.AdminAddress = address)
                : $"--admin-address: '{v}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)"),
        new("--redis", "HOST:PORT", "share the affinity table and global rate limits with other replicas (password: BALLAST_REDIS_PASSWORD)",
            (d, v) => Ballast.Ingress.Redis.RedisOptions.TryParse(v, out var redis, out var e) ? CliOptions.Set(() => d.Run = d.Run with { Redis = redis }) : e),
        new("--affinity-key-file", "FILE", "keys that sign affinity cookies: base64, one per line, newest first",
            (d, v) => CliOptions.Set(() => d.Run = d.Run with { AffinityKeyFile = v })),
        new("--ingress-http-port", "N", "where Ingress objects in the folder are served (default 8080)",
            (d, v) => TryPort(v, "--ingress-http-port", min: 1, out var p) is { } e ? e : CliOptions.Set(() => d.Run = d.Run with { IngressHttpPort = p }))
        { Environment = "BALLAST_INGRESS_HTTP_PORT" },
        new("--ingress-https-port", "N", "the same for TLS (default 8443)",
            (d, v) => TryPort(v, "--ingress-https-port", min: 1, out var p) is { } e ? e : CliOptions.Set(() => d.Run = d.Run with { IngressHttpsPort = p }))
        { Environment = "BALLAST_INGRESS_HTTPS_PORT" },
        new("--log-level", "LEVEL", "Trace, Debug, Information (default), Warning, Error, Critical or None",
            (d, v) => Enum.TryParse<LogLevel>(v, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(v, out _)
                ? CliOptions.Set(() => d.Run = d.Run with { LogLevel = level })
                : $"--log-level: '{v}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}"),
        new("--log-format", "text|json", "a line of text (default), or a JSON object per line with kind/namespace/name fields on lines about a resource",
            (d, v) => Logging.ConsoleLogFormat.IsKnown(v) ? CliOptions.Set(() => d.Run = d.Run with { LogFormat = v }) : $"--log-format: '{v}' is not one of text, json"),
        new("--shutdown-grace", "DURATION", "after SIGTERM: not ready at once, keep serving this long (default 5s; a second signal skips it)",
            (d, v) => TryDuration("--shutdown-grace", v, out var t) is { } e ? e : CliOptions.Set(() => d.Run = d.Run with { ShutdownGrace = t })),
        new("--shutdown-timeout", "DURATION", "then close keep-alive connections; in-flight requests and WebSockets get this long (default 20s)",
            (d, v) => TryDuration("--shutdown-timeout", v, out var t) is { } e ? e : CliOptions.Set(() => d.Run = d.Run with { ShutdownTimeout = t })),
        new("--tracing-endpoint", "URL", "turn tracing on: OTLP/HTTP receiver (http://collector:4318; /v1/traces is added)",
            (d, v) => Uri.TryCreate(v, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? CliOptions.Set(() => d.TracingEndpoint = url) : $"--tracing-endpoint: '{v}' is not an http(s) URL")
        { Environment = "OTEL_EXPORTER_OTLP_ENDPOINT" },
        new("--tracing-sample-ratio", "R", "share of new traces recorded, 0..1 (default 1); a client's sampled flag is followed",
            (d, v) => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1
                ? CliOptions.Set(() => d.TracingSampleRatio = r) : $"--tracing-sample-ratio: '{v}' is not a number from 0 to 1")
        { Environment = "OTEL_TRACES_SAMPLER_ARG" },
        new("--tracing-propagation", "w3c|b3|b3multi", "trace-context headers read and sent: traceparent/tracestate (default), b3, or X-B3-*",
            (d, v) => TryPropagation(v) is { } p ? CliOptions.Set(() => d.TracingPropagation = p) : $"--tracing-propagation: '{v}' is not one of w3c, b3, b3multi")
        { Environment = "OTEL_PROPAGATORS" },
        new("--tracing-service-name", "NAME", "the spans' service.name (default ballast)", (d, v) => CliOptions.Set(() => d.TracingServiceName = v))
        { Environment = "OTEL_SERVICE_NAME" },
    ];

    public static bool TryParse(string[] args, out RunArguments result, out string error) =>
        TryParse(args, Environment.GetEnvironmentVariable, out result, out error);

    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static bool TryParse(string[] args, Func<string, string?> environment, out RunArguments result, out string error)
    {
        result = null!;
        var d = new Draft();
        if (!CliOptions.TryParse(Options, args, d, out error, environment)) return false;
        var run = d.Run;
        if (d.TracingEndpoint is { } endpoint)
            run = run with
            {
                Tracing = new TracingOptions(endpoint)
                {
                    SampleRatio = d.TracingSampleRatio,
                    Propagation = d.TracingPropagation,
                    ServiceName = d.TracingServiceName,
                    ServiceInstance = d.ReplicaId,
                },
            };
        if (d.OperatorUrl is { } operatorUrl)
        {
            if (d.Config is not null) { error = "--config and --operator: choose one source of configuration"; return false; }
            if (!Uri.TryCreate(operatorUrl.EndsWith('/') ? operatorUrl : operatorUrl + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                error = $"--operator: '{operatorUrl}' is not an http(s) URL";
                return false;
            }
            if (d.TokenFile is null) { error = "--token-file FILE is required with --operator"; return false; }
            if (d.ReplicaId is null) { error = "--replica-id ID is required with --operator"; return false; }
            // Replicas of one Deployment share affinity through Redis and sign cookies with the same keys, so
            // --redis and --affinity-key-file count here too; the Ingress ports are the folder's (standalone) only.
            result = run with
            {
                Operator = new OperatorArguments(url, d.TokenFile, d.ReplicaId, d.StateDirectory ?? "ballast-state"),
                AdminAddress = d.AdminAddress ?? System.Net.IPAddress.Any,
                IngressHttpPort = 8080,
                IngressHttpsPort = 8443,
            };
            return true;
        }
        if (d.TokenFile is not null || d.ReplicaId is not null)
        {
            error = "--token-file and --replica-id go with --operator";
            return false;
        }
        if (d.Config is null)
        {
            error = "--config DIR (or --operator URL) is required";
            return false;
        }
        result = run with { ConfigDirectory = d.Config, StateDirectory = d.StateDirectory ?? "ballast-state", AdminAddress = d.AdminAddress ?? System.Net.IPAddress.Loopback };
        return true;
    }

    /// <summary>A port number; the error names the option (or variable).</summary>
    private static string? TryPort(string value, string name, int min, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= min && port <= 65535
            ? null
            : $"{name}: '{value}' is not a port number ({min}-65535)";

    private static string? TryDuration(string option, string value, out TimeSpan duration)
    {
        duration = default;
        if (Ballast.Model.Resources.Duration.TryParse(value, out var parsed) && parsed.Value >= TimeSpan.Zero)
        {
            duration = parsed.Value;
            return null;
        }
        return $"{option}: '{value}' is not a duration (e.g. 5s, 500ms, 1m)";
    }

    /// <summary>Ours (w3c, b3, b3multi) or OTEL_PROPAGATORS' list (tracecontext, b3, b3multi; baggage is not read): the first known.</summary>
    private static TracePropagation? TryPropagation(string value)
    {
        foreach (var name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name.ToLowerInvariant())
            {
                case "w3c" or "tracecontext": return TracePropagation.W3C;
                case "b3": return TracePropagation.B3;
                case "b3multi": return TracePropagation.B3Multi;
            }
        }
        return null;
    }
}
