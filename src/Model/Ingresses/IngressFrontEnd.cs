using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Ingresses;

/// <summary>
/// Serves <c>networking.k8s.io/v1</c> Ingresses: the same translation <c>ballast migrate --to ballast</c> writes
/// (<see cref="IngressTranslator"/>), compiled with the native pool and policy rules, its listeners claiming the
/// Ingress ports (reserved: a native listener there is refused). Every problem of a generated route or pool is
/// reported on its Ingress; each unsupported annotation is a warning and names itself in the Ingress's
/// <c>AnnotationsSupported</c> condition.
/// </summary>
internal sealed class IngressFrontEnd : IFrontEnd
{
    /// <summary>Generated names carry a character no Kubernetes name holds, so they never clash with native resources.</summary>
    public const string NamePrefix = "ingress:";

    public string Name => "Ingress";

    public ImmutableArray<InputGroup> Groups { get; } =
    [
        new(NetworkingApi.Group, UnknownKinds.Skip,
        [
            new(NetworkingApi.Group, Ingress.KindName, [NetworkingApi.Version], typeof(Ingress)),
            new(NetworkingApi.Group, IngressClass.KindName, [NetworkingApi.Version], typeof(IngressClass), ClusterScoped: true),
        ]),
    ];

    public FrontEndTranslation Translate(FrontEndContext context)
    {
        var input = context.Input;
        var reports = context.Objects.Where(o => o.Resource is Ingress).ToDictionary(o => o.Resource.Key, o => o.Report);
        var translation = IngressTranslator.Translate(
            [.. context.OfType<Ingress>().Select(o => o.Resource)],
            [.. context.OfType<IngressClass>().Select(o => o.Resource)],
            new IngressTranslatorOptions
            {
                HttpPort = input.Ingress.HttpPort,
                HttpsPort = input.Ingress.HttpsPort,
                NamePrefix = NamePrefix,
                UnclassedWithoutDefault = input.Ingress.UnclassedWithoutDefault,
                // validate reads a folder: what it lacks may exist in the cluster (a warning then, as for native pools).
                Services = input.Services,
                Secrets = input.Secrets,
                ClusterObjectsUnknown = input.ClusterObjectsUnknown,
            });
        var result = new FrontEndTranslation { Statuses = refused => Statuses(translation, reports) };

        foreach (var ir in translation.Reports)
        {
            var report = reports[ir.Key];
            foreach (var p in ir.Problems)
            {
                var kind = p.Kind switch { IngressProblemKind.Invalid => ProblemKind.Invalid, IngressProblemKind.Conflict => ProblemKind.Conflict, _ => ProblemKind.Reference };
                report.Add(kind, p.Reason, new FieldPath(p.Diagnostic.FieldPath), p.Diagnostic.Message, p.Diagnostic.Severity);
            }
            foreach (var a in ir.Unsupported)
                report.Warn("UnsupportedAnnotation", new FieldPath($"metadata.annotations[\"{a.Name}\"]"), $"not applied: {a.Note}");
        }

        // Pools, then policies, compiled by the native rules; their problems land on the Ingress they came from.
        var poolSnapshots = new Dictionary<string, PoolSnapshot?>(StringComparer.Ordinal);
        foreach (var pool in translation.Pools)
        {
            var owner = Owner(translation, reports, pool.NamespaceOrDefault, pool.Metadata.Name, byPool: true);
            var generated = new ResourceReport(pool);
            var snapshot = context.CompilePool(pool, generated);
            // Missing Services are the Ingress's own ResolvedRefs already; a pool without endpoints answers 503.
            Forward(generated, owner, $"pool {pool.Metadata.Name[NamePrefix.Length..]}", skip: p => p.Reason is "ServiceNotFound" or "ServicePortNotFound");
            poolSnapshots[snapshot.Id] = generated.IsInvalid ? null : snapshot;
            if (!generated.IsInvalid) result.Pools.Add(snapshot);
        }
        var compiler = new PolicyCompiler(input, poolSnapshots);
        var compiled = new List<CompiledPolicy>();
        foreach (var policy in translation.Policies)
        {
            var owner = translation.Origins.GetValueOrDefault($"{policy.NamespaceOrDefault}/{policy.Metadata.Name}") is { } key ? reports.GetValueOrDefault(key) : null;
            if (owner is null || owner.IsInvalid) continue;
            var c = new CompiledPolicy(policy, new ResourceReport(policy), compiled.Count);
            compiler.Compile(c);
            Forward(c.Report, owner, "", skip: p => p.Reason == "SecretNotFound");
            if (!c.Report.IsInvalid) compiled.Add(c);
        }

        var listeners = ListenerMerger.Merge(compiled, redirectPortFromListener: false);
        // The merger reports route clashes between Ingresses on the later policy: hand those on too.
        foreach (var c in compiled)
            Forward(c.Report, reports[translation.Origins[$"{c.Policy.NamespaceOrDefault}/{c.Policy.Metadata.Name}"]], "", skip: _ => false, onlyKind: ProblemKind.Conflict);
        var oldest = translation.Reports.FirstOrDefault(r => !reports[r.Key].IsInvalid);
        if (oldest is not null)
            foreach (var l in listeners)
                result.Ports.Add(new PortClaim(oldest.Ingress, reports[oldest.Key], FieldPath.Spec, l, Reserved: true));
        foreach (var r in translation.Reports.Where(r => !reports[r.Key].IsInvalid))
            result.Generations[r.Key] = r.Ingress.Metadata.Generation ?? 0;
        return result;
    }

    /// <summary>The Ingress report a generated pool belongs to (pool names start with the Ingress name).</summary>
    private static ResourceReport? Owner(IngressTranslation translation, Dictionary<ResourceKey, ResourceReport> reports, string ns, string poolName, bool byPool)
    {
        _ = byPool;
        var match = translation.Reports
            .Where(r => r.Key.Namespace == ns && poolName.StartsWith(NamePrefix + r.Key.Name + "-", StringComparison.Ordinal))
            .OrderByDescending(r => r.Key.Name.Length)
            .FirstOrDefault();
        return match is null ? null : reports[match.Key];
    }

    /// <summary>Copies a generated resource's problems onto its Ingress, naming the generated part.</summary>
    private static void Forward(ResourceReport from, ResourceReport? to, string what, Func<Problem, bool> skip, ProblemKind? onlyKind = null)
    {
        if (to is null) return;
        foreach (var p in from.Problems.ToList())
        {
            if (skip(p) || (onlyKind is { } k ? p.Kind != k : p.Kind == ProblemKind.Conflict)) continue;
            var where = what.Length > 0 ? what + " " : "";
            to.Add(p.Kind, p.Reason, new FieldPath("spec"), $"{where}{p.Diagnostic.FieldPath}: {p.Diagnostic.Message} (in the translation of this Ingress)", p.Diagnostic.Severity);
        }
    }

    private static IEnumerable<ResourceStatus> Statuses(IngressTranslation translation, Dictionary<ResourceKey, ResourceReport> reports)
    {
        foreach (var ir in translation.Reports)
        {
            var report = reports[ir.Key];
            var status = StatusBuilder.Build(report);
            var unsupported = ir.Unsupported.Select(a => a.Name).ToList();
            var condition = new Condition
            {
                Type = IngressConditions.AnnotationsSupported,
                Status = unsupported.Count == 0 ? ConditionStatus.True : ConditionStatus.False,
                Reason = unsupported.Count == 0 ? "AllSupported" : "UnsupportedAnnotation",
                Message = unsupported.Count == 0 ? "" : IngressConditions.UnsupportedPrefix + string.Join(", ", unsupported),
                ObservedGeneration = ir.Ingress.Metadata.Generation,
            };
            yield return status with { Conditions = status.Conditions.Add(condition) };
        }
    }
}

/// <summary>The Ingress condition Ballast adds to the common two, and what reads it back.</summary>
public static class IngressConditions
{
    /// <summary>False (reason UnsupportedAnnotation) while an ingress-nginx annotation of the Ingress is not applied; the message names them.</summary>
    public const string AnnotationsSupported = "AnnotationsSupported";

    /// <summary>(ns/name, annotation) for every unsupported annotation of a served Ingress, from the compile result's statuses.</summary>
    public static IEnumerable<(string Ingress, string Annotation)> UnsupportedAnnotations(CompileResult result) =>
        result.Statuses.Values
            .Where(s => s.Resource.Kind == Ingress.KindName)
            .SelectMany(s => s.Conditions.Where(c => c.Type == AnnotationsSupported && c.Status == ConditionStatus.False)
                .SelectMany(c => c.Message[UnsupportedPrefix.Length..].Split(", ", StringSplitOptions.RemoveEmptyEntries))
                .Select(a => ($"{s.Resource.Namespace}/{s.Resource.Name}", a)))
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal);

    internal const string UnsupportedPrefix = "not applied: ";
}
