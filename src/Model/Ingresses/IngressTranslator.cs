using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

public sealed record IngressTranslatorOptions
{
    /// <summary>Where Ingress traffic is served (<c>--ingress-http-port</c>, <c>--ingress-https-port</c>).</summary>
    public int HttpPort { get; init; } = 8080;
    public int HttpsPort { get; init; } = 8443;
    /// <summary>Prefix of the generated resource names (serving keeps them apart from native ones; migrate uses none).</summary>
    public string NamePrefix { get; init; } = "";
    /// <summary>migrate: translate every Ingress given, whatever class it names.</summary>
    public bool AllClasses { get; init; }
    /// <summary>Standalone mode: serve Ingresses that name no class when no IngressClass is the default.</summary>
    public bool UnclassedWithoutDefault { get; init; }
    /// <summary>Services and Secrets that exist (serving, validate); null when unknown (migrate): nothing is checked then.</summary>
    public IReadOnlyDictionary<string, ResolvedService>? Services { get; init; }
    public IReadOnlyDictionary<string, ResolvedSecret>? Secrets { get; init; }
    /// <summary>
    /// validate: <see cref="Services"/> and <see cref="Secrets"/> are only what the folder holds, so one that is missing
    /// may still exist in the cluster: a warning (as for a native pool), not an error.
    /// </summary>
    public bool ClusterObjectsUnknown { get; init; }
}

/// <summary>Ballast resources that do what the Ingresses did, and what became of each Ingress.</summary>
public sealed record IngressTranslation
{
    public ImmutableArray<LoadBalancerPolicy> Policies { get; init; } = [];
    public ImmutableArray<BackendPool> Pools { get; init; } = [];
    /// <summary>One per Ingress that was ours to translate, in resource order.</summary>
    public ImmutableArray<IngressReport> Reports { get; init; } = [];
    /// <summary>Generated policy name → the Ingress it came from.</summary>
    public ImmutableDictionary<string, ResourceKey> Origins { get; init; } = ImmutableDictionary<string, ResourceKey>.Empty;
}

/// <summary>
/// Ingresses (with their ingress-nginx annotations) → native LoadBalancerPolicies and BackendPools. Pure: the same
/// translation feeds the Compiler when Ballast serves Ingresses and is written out by <c>ballast migrate --to ballast</c>,
/// so what migrate writes is what was served.
/// <list type="bullet">
/// <item>One policy per Ingress (same name), listeners <c>http</c> on the Ingress HTTP port and, when it has TLS,
/// <c>https</c> on the Ingress HTTPS port with its Secrets as certificates.</item>
/// <item>One pool per (Ingress, Service, port): annotations that shape pools differ per Ingress.</item>
/// <item>One route per rule path; <c>defaultBackend</c> is a route matching everything (the least specific).</item>
/// <item>A canary Ingress has no routes: its pool joins the route of the main Ingress with the same host and path.</item>
/// </list>
/// </summary>
public static class IngressTranslator
{
    public static IngressTranslation Translate(IReadOnlyList<Ingress> ingresses, IReadOnlyList<IngressClass> classes, IngressTranslatorOptions options)
    {
        var ours = ResourceOrder.Sort(ingresses)
            .Where(i => options.AllClasses || IngressClassSelector.IsOurs(i, classes, options.UnclassedWithoutDefault))
            .ToList();
        var state = new State(options);
        var canaries = new List<(Ingress, IngressSettings, AnnotationReader, List<IngressProblem>)>();
        foreach (var ingress in ours)
        {
            var (settings, reader) = NginxAnnotations.Read(ingress);
            var problems = new List<IngressProblem>();
            foreach (var o in reader.Outcomes.Where(o => o.Verdict == AnnotationVerdict.Invalid))
                problems.Add(Problem(ingress, IngressProblemKind.Invalid, "InvalidAnnotation", $"metadata.annotations[\"{o.Name}\"]", o.Note));
            if (settings.Canary is not null) { canaries.Add((ingress, settings, reader, problems)); continue; }
            new IngressBuilder(ingress, settings, state, problems).Build();
            state.Reports.Add(Report(ingress, reader, problems, canary: false));
        }
        foreach (var (ingress, settings, reader, problems) in canaries)
        {
            new CanaryBuilder(ingress, settings, state, problems).Build();
            state.Reports.Add(Report(ingress, reader, problems, canary: true));
        }
        return new IngressTranslation
        {
            Policies = [.. state.Policies.Where(p => !state.Dropped.Contains(p.Metadata.Name + "@" + p.NamespaceOrDefault))],
            Pools = [.. state.Pools.Values.OrderBy(p => p.NamespaceOrDefault, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)],
            Reports = [.. ResourceOrder.Sort(state.Reports.Select(r => r.Ingress)).Select(i => state.Reports.First(r => r.Ingress == i))],
            Origins = state.Origins.ToImmutableDictionary(),
        };
    }

    internal static IngressProblem Problem(Ingress ingress, IngressProblemKind kind, string reason, string field, string message, Severity severity = Severity.Error) =>
        new(kind, reason, new Diagnostic(ingress.Key, field, message, ingress.Source, severity));

    /// <summary>A Service or Secret the Ingress names is missing: an error when serving, a warning when only a folder was read.</summary>
    internal static IngressProblem Missing(Ingress ingress, IngressTranslatorOptions options, string reason, string field, string message) =>
        options.ClusterObjectsUnknown
            ? Problem(ingress, IngressProblemKind.Reference, reason, field, message + " (not checked: no cluster)", Severity.Warning)
            : Problem(ingress, IngressProblemKind.Reference, reason, field, message);

    private static IngressReport Report(Ingress ingress, AnnotationReader reader, List<IngressProblem> problems, bool canary) => new()
    {
        Ingress = ingress,
        Canary = canary,
        Annotations = [.. reader.Outcomes.OrderBy(o => o.Name, StringComparer.Ordinal)],
        Problems = [.. problems],
    };

    /// <summary>What the builders share: the generated resources, and the main routes a canary may join.</summary>
    internal sealed class State(IngressTranslatorOptions options)
    {
        public IngressTranslatorOptions Options { get; } = options;
        public List<LoadBalancerPolicy> Policies { get; } = [];
        public SortedDictionary<string, BackendPool> Pools { get; } = new(StringComparer.Ordinal);
        public List<IngressReport> Reports { get; } = [];
        public Dictionary<string, ResourceKey> Origins { get; } = new(StringComparer.Ordinal);
        /// <summary>Policies of invalid Ingresses (name@namespace), left out at the end.</summary>
        public HashSet<string> Dropped { get; } = new(StringComparer.Ordinal);
        /// <summary>(namespace, host, path key) → the main route, its policy and its pool, for canaries.</summary>
        public Dictionary<(string Ns, string Host, string Path), (LoadBalancerPolicy Policy, HttpRouteSpec Route, string Pool)> MainRoutes { get; } = [];
    }
}
