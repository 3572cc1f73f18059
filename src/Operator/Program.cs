using System.Net;
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
    SnapshotListen = IPEndPoint.Parse(ArgValue(args, "--listen") ?? "0.0.0.0:8443"),
    SnapshotToken = token,
};
await using var host = await OperatorHost.StartAsync(options, TimeProvider.System, loggers);
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
await stopped.Task;
return 0;

static string? ArgValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
