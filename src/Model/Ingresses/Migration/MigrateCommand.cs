using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Migration;

public enum MigrationTarget { Ballast, GatewayApi }

/// <summary>
/// <c>ballast migrate [--to ballast|gateway-api] [--allow-partial] [--report FILE] PATH...</c>: Ingress manifests
/// (files, folders, <c>-</c> for stdin) → resources on stdout, the report on stderr (or in FILE). Exit 0 when
/// everything was mapped or approximated; 1 on errors, or on unsupported annotations unless --allow-partial; 2 on usage.
/// </summary>
public static class MigrateCommand
{
    public const string Usage = "usage: ballast migrate [--to ballast|gateway-api] [--allow-partial] [--report FILE] PATH... (- for stdin)";

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var target = MigrationTarget.Ballast;
        var allowPartial = false;
        string? reportFile = null;
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--to" when i + 1 < args.Length:
                    var to = args[++i];
                    if (to == "ballast") target = MigrationTarget.Ballast;
                    else if (to == "gateway-api") target = MigrationTarget.GatewayApi;
                    else { stderr.WriteLine($"--to: expected ballast or gateway-api, got \"{to}\""); return 2; }
                    break;
                case "--allow-partial": allowPartial = true; break;
                case "--report" when i + 1 < args.Length: reportFile = args[++i]; break;
                case var a when a.StartsWith("--", StringComparison.Ordinal):
                    stderr.WriteLine($"unknown option {a}\n{Usage}");
                    return 2;
                default: paths.Add(args[i]); break;
            }
        }
        if (paths.Count == 0) { stderr.WriteLine(Usage); return 2; }

        var manifests = new IngressManifests([], [], []);
        foreach (var path in paths)
        {
            if (path == "-") IngressManifestReader.Read(stdin.ReadToEnd(), "<stdin>", manifests);
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                             .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                    IngressManifestReader.Read(File.ReadAllText(file), file, manifests);
            }
            else if (File.Exists(path)) IngressManifestReader.Read(File.ReadAllText(path), path, manifests);
            else manifests.Diagnostics.Add(new Diagnostic(null, "", "no such file or directory", new SourceLocation(path, 1, 1)));
        }

        var result = Migrate(manifests, target);
        stdout.Write(result.Output);
        if (reportFile is not null) File.WriteAllText(reportFile, result.Report);
        else stderr.Write(result.Report);
        if (result.Errors) return 1;
        return result.Unsupported && !allowPartial ? 1 : 0;
    }

    public sealed record Result(string Output, string Report, bool Errors, bool Unsupported);

    /// <summary>The pure part: manifests → output and report.</summary>
    /// <param name="httpPort">The listener ports written out: the ingress's Ingress ports (8080/8443, the chart's container ports).</param>
    public static Result Migrate(IngressManifests manifests, MigrationTarget target, int httpPort = 8080, int httpsPort = 8443)
    {
        var translation = IngressTranslator.Translate(manifests.Ingresses, manifests.Classes,
            new IngressTranslatorOptions { AllClasses = true, HttpPort = httpPort, HttpsPort = httpsPort });
        string output;
        if (target == MigrationTarget.GatewayApi) (output, translation) = GatewayApiOutput.Write(translation);
        else (output, translation) = (BallastOutput(translation), RedirectPorts.NoteInBallastOutput(translation));
        var report = MigrationReport.Render(translation, manifests.Diagnostics);
        var errors = manifests.Diagnostics.Count > 0 || translation.Reports.Any(r => r.IsInvalid || r.Problems.Any(p => p.Diagnostic.Severity == Severity.Error));
        var unsupported = translation.Reports.Any(r => r.Unsupported.Any());
        return new Result(output, report, errors, unsupported);
    }

    /// <summary>Pools, then policies, each sorted by namespace and name; generated metadata stripped to name and namespace.</summary>
    private static string BallastOutput(IngressTranslation translation)
    {
        IEnumerable<Resource> all =
        [
            .. translation.Pools.OrderBy(p => p.NamespaceOrDefault, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal),
            .. translation.Policies.OrderBy(p => p.NamespaceOrDefault, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal),
        ];
        return YamlWriter.Documents(all.Select(r =>
        {
            r.Metadata = new ResourceMetadata { Name = r.Metadata.Name, Namespace = r.Metadata.Namespace };
            return (object)r;
        }));
    }
}
