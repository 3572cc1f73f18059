using System.Runtime.InteropServices;
using Ballast.Operator;
using Ballast.Operator.Crds;

// `ballast-operator crds --out DIR [--source DIR]` writes the CRDs; anything else runs the operator.
if (args is ["crds", ..])
{
    var outDir = OperatorCommandLine.ArgValue(args, "--out") ?? "config/crds";
    var source = OperatorCommandLine.ArgValue(args, "--source") ?? Path.Combine("src", "Model", "Resources");
    if (!Directory.Exists(source))
    {
        Console.Error.WriteLine($"--source: folder \"{source}\" not found (run from the repository root, or pass --source src/Model/Resources)");
        return 2;
    }
    foreach (var path in CrdGenerator.WriteTo(outDir, SourceDocs.FromFolder(source))) Console.WriteLine(path);
    return 0;
}

// Configuration from the arguments and the environment (the Deployment sets these); a kubeconfig for running outside a cluster.
var (settings, error) = OperatorCommandLine.Parse(args, Environment.GetEnvironmentVariable);
if (settings is null)
{
    Console.Error.WriteLine(error);
    return 2;
}
using var loggers = LoggerFactory.Create(b =>
{
    // --log-format json: a JSON object per line (UTC timestamp, level, category, message, state, scopes).
    if (settings.LogFormat == "json") b.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"; });
    else b.AddSimpleConsole(o => o.SingleLine = true);
    b.SetMinimumLevel(settings.LogLevel);
});
var options = settings.Options;
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
