using System.Net;

namespace Ballast.Operator;

/// <summary>
/// The operator's settings from its arguments and environment (the chart's Deployment sets both): pure, so a test
/// can check that what the chart renders is what the operator reads.
/// </summary>
public static class OperatorCommandLine
{
    /// <param name="LogFormat"><c>text</c> (one readable line) or <c>json</c> (the .NET JSON console formatter).</param>
    public sealed record Settings(OperatorOptions Options, LogLevel LogLevel, string LogFormat = "text");

    /// <summary>The settings, or the error to print (naming the argument or variable) and exit 2 on.</summary>
    public static (Settings? Settings, string? Error) Parse(string[] args, Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;
        var logLevel = LogLevel.Information;
        if ((ArgValue(args, "--log-level") ?? Env("BALLAST_LOG_LEVEL")) is { } level &&
            (!Enum.TryParse(level, ignoreCase: true, out logLevel) || !Enum.IsDefined(logLevel) || int.TryParse(level, out _)))
            return (null, $"BALLAST_LOG_LEVEL / --log-level: \"{level}\" is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}");

        var logFormat = ArgValue(args, "--log-format") ?? Env("BALLAST_LOG_FORMAT") ?? "text";
        if (logFormat is not ("text" or "json"))
            return (null, $"BALLAST_LOG_FORMAT / --log-format: \"{logFormat}\" is not one of text, json");

        var serviceAccount = Env("BALLAST_INGRESS_SERVICE_ACCOUNT") ?? "";
        var token = Env("BALLAST_SNAPSHOT_TOKEN") ?? "";
        if (serviceAccount.Length == 0 && token.Length == 0)
            return (null, "BALLAST_INGRESS_SERVICE_ACCOUNT: required (namespace/name of the ServiceAccount whose projected tokens ingress replicas present); " +
                          "outside a cluster set BALLAST_SNAPSHOT_TOKEN to a shared token instead");
        if (serviceAccount.Length > 0 && serviceAccount.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            return (null, $"BALLAST_INGRESS_SERVICE_ACCOUNT: \"{serviceAccount}\" is not namespace/name");

        IPEndPoint listen;
        IPEndPoint? metrics = null;
        try
        {
            listen = IPEndPoint.Parse(ArgValue(args, "--listen") ?? "0.0.0.0:8443");
            if (ArgValue(args, "--metrics-listen") is not "off") metrics = IPEndPoint.Parse(ArgValue(args, "--metrics-listen") ?? "0.0.0.0:9090");
        }
        catch (FormatException e) { return (null, "--listen / --metrics-listen: " + e.Message); }

        var namespaces = List(ArgValue(args, "--watch-namespaces") ?? Env("BALLAST_WATCH_NAMESPACES"));
        if (Env("BALLAST_INGRESS_SERVICE") is { } ingressService && ingressService.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            return (null, $"BALLAST_INGRESS_SERVICE: \"{ingressService}\" is not namespace/name");
        if (!Port(ArgValue(args, "--ingress-http-port") ?? Env("BALLAST_INGRESS_HTTP_PORT"), "BALLAST_INGRESS_HTTP_PORT / --ingress-http-port", 8080, out var ingressHttp, out var portError)
            || !Port(ArgValue(args, "--ingress-https-port") ?? Env("BALLAST_INGRESS_HTTPS_PORT"), "BALLAST_INGRESS_HTTPS_PORT / --ingress-https-port", 8443, out var ingressHttps, out portError))
            return (null, portError);
        var options = new OperatorOptions
        {
            Kubeconfig = ArgValue(args, "--kubeconfig") ?? Env("KUBECONFIG"),
            Identity = Env("POD_NAME") ?? Environment.MachineName,
            LeaseNamespace = Env("POD_NAMESPACE") ?? "default",
            // The chart sets it (operator.leaderElection.leaseName); its RBAC names this Lease and the ConfigMap after it.
            LeaseName = Env("BALLAST_LEASE_NAME") ?? "ballast-operator",
            SnapshotListen = listen,
            IngressServiceAccount = serviceAccount,
            SnapshotAudience = Env("BALLAST_SNAPSHOT_AUDIENCE") ?? "ballast-operator",
            SnapshotToken = token,
            // Standbys pass snapshot requests on to the leader's pod address (written into the Lease).
            AdvertiseUri = Env("POD_IP") is { } ip ? new Uri($"http://{(ip.Contains(':') ? $"[{ip}]" : ip)}:{listen.Port}") : null,
            MetricsListen = metrics,
            WatchNamespaces = namespaces,
            Addresses = new Reconcile.AddressSources
            {
                IngressService = Env("BALLAST_INGRESS_SERVICE"),
                NodeAddresses = Env("BALLAST_NODE_ADDRESSES") is "true",
                Configured = List(ArgValue(args, "--addresses") ?? Env("BALLAST_ADDRESSES")),
            },
            // The same ports the ingress replicas serve Ingress objects on (the chart sets both from ingress.ports).
            Ingress = new Model.Compilation.IngressServing(ingressHttp, ingressHttps),
        };
        return (new Settings(options, logLevel, logFormat), null);
    }

    /// <summary>A port from a flag or the environment (null: the default).</summary>
    private static bool Port(string? value, string name, int fallback, out int port, out string? error)
    {
        error = null;
        port = fallback;
        if (value is null) return true;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535) return true;
        error = $"{name}: \"{value}\" is not a port number (1-65535)";
        return false;
    }

    private static string[] List(string? commaSeparated) =>
        (commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string? ArgValue(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
