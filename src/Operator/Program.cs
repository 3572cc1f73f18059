using System.Net;
using System.Runtime.InteropServices;
using Ballast.Operator;
using Ballast.Operator.Crds;

// `ballast-operator crds --out DIR [--source DIR]` writes the CRDs; anything else runs the operator.
if (args is ["crds", ..])
{
    var outDir = ArgValue(args, "--out") ?? "config/crds";
    var source = ArgValue(args, "--source") ?? Path.Combine("src", "Model", "Resources");
    if (!Directory.Exists(source))
    {
        Console.Error.WriteLine($"--source: folder \"{source}\" not found (run from the repository root, or pass --source src/Model/Resources)");
        return 2;
    }
    foreach (var path in CrdGenerator.WriteTo(outDir, SourceDocs.FromFolder(source))) Console.WriteLine(path);
    return 0;
}

// Configuration from the environment (the Deployment sets these); a kubeconfig for running outside a cluster.
var token = Environment.GetEnvironmentVariable("BALLAST_SNAPSHOT_TOKEN");
if (string.IsNullOrEmpty(token))
{
    Console.Error.WriteLine("BALLAST_SNAPSHOT_TOKEN: required (the bearer token ingress replicas present)");
    return 2;
}
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
var options = new OperatorOptions
{
    Kubeconfig = ArgValue(args, "--kubeconfig") ?? Environment.GetEnvironmentVariable("KUBECONFIG"),
    Identity = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName,
    LeaseNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "default",
    // The chart sets it (operator.leaderElection.leaseName); its RBAC names this Lease and the ConfigMap after it.
    LeaseName = Environment.GetEnvironmentVariable("BALLAST_LEASE_NAME") is { Length: > 0 } lease ? lease : "ballast-operator",
    SnapshotListen = IPEndPoint.Parse(ArgValue(args, "--listen") ?? "0.0.0.0:8443"),
    SnapshotToken = token,
    MetricsListen = ArgValue(args, "--metrics-listen") is "off" ? null : IPEndPoint.Parse(ArgValue(args, "--metrics-listen") ?? "0.0.0.0:9090"),
};
await using var host = await OperatorHost.StartAsync(options, TimeProvider.System, loggers);
// Stop on SIGTERM (Kubernetes) and SIGINT (Ctrl-C), then dispose the host (watches, delivery, elector).
// The web host inside OperatorHost takes over the default signal handling, so Console.CancelKeyPress and
// ProcessExit never fire: register the signals ourselves. The Lease is not released on stop: a standby
// takes over when it expires.
var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopped.TrySetResult();
}
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
await stopped.Task;
return 0;

static string? ArgValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
