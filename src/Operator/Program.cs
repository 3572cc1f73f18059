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

var builder = Host.CreateApplicationBuilder(args);
var app = builder.Build();
app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.Operator").LogInformation("Ballast operator started");
await app.RunAsync();
return 0;

static string? ArgValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
