using System.Collections.Immutable;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>
/// Desired state → <see cref="Snapshot"/> + a status per resource. Pure: no I/O, no clock, no randomness,
/// and bad input is data (diagnostics), never an exception.
/// <list type="number">
/// <item>Resources are put in resource order (creationTimestamp, namespace/name); a second definition of the same one is an error.</item>
/// <item>Pools compile on their own; an invalid pool is left out.</item>
/// <item>Policies compile against the valid pools; an invalid policy is left out, a route with a missing pool is dropped.</item>
/// <item>Each front-end (Gateway API …) translates its objects into pools and whole listeners (<see cref="IFrontEnd"/>).</item>
/// <item>Each port goes to one input (<see cref="PortArbiter"/>); listeners of all policies are merged by port, routes put in precedence order.</item>
/// </list>
/// </summary>
public static class Compiler
{
    public static CompileResult Compile(CompilerInput input)
    {
        var pools = Deduplicate(ResourceOrder.Sort(input.Pools), out var poolReports);
        var policies = Deduplicate(ResourceOrder.Sort(input.Policies), out var policyReports);

        // 1. Pools.
        var poolSnapshots = new Dictionary<string, PoolSnapshot?>(StringComparer.Ordinal);
        var poolCounts = new Dictionary<ResourceKey, EndpointCounts>();
        foreach (var (pool, report) in pools)
        {
            var compiled = PoolCompiler.Compile(pool, input, report);
            poolCounts[report.Key] = compiled.Counts;
            // A pool whose Secret is missing would otherwise talk plaintext or without its client certificate.
            var usable = !report.IsInvalid && !report.Problems.Any(p => p.Reason == ConditionReasons.SecretNotFound && p.Diagnostic.Severity == Severity.Error);
            poolSnapshots[compiled.Snapshot.Id] = usable ? compiled.Snapshot : null;
        }
        // Pools the loader already rejected are known, and invalid: references to them say so.
        foreach (var key in input.InvalidResources.Where(k => k.Kind == "BackendPool")) poolSnapshots.TryAdd($"{key.Namespace}/{key.Name}", null);

        // 2. Policies, each on its own.
        var compiler = new PolicyCompiler(input, poolSnapshots);
        var compiledPolicies = new List<CompiledPolicy>();
        for (var i = 0; i < policies.Count; i++)
        {
            var compiled = new CompiledPolicy(policies[i].Resource, policies[i].Report, i);
            compiler.Compile(compiled);
            compiledPolicies.Add(compiled);
        }

        // 3. The front-ends, each on its own objects.
        var validPools = pools.Where(p => poolSnapshots.GetValueOrDefault(p.Resource.NamespaceOrDefault + "/" + p.Resource.Metadata.Name) is not null)
            .Select(p => p.Resource).ToList();
        var traffic = compiledPolicies.Where(p => !p.Report.IsInvalid && p.Traffic is not null).Select(p => p.Traffic!).ToList();
        var frontEnds = new List<(List<ResourceReport> Reports, FrontEndTranslation Translation)>();
        foreach (var frontEnd in FrontEnds.All)
        {
            var objects = Deduplicate(ResourceOrder.Sort(input.Inputs.Where(o => frontEnd.Groups.Any(g => g.Kinds.Any(k => k.Type == o.GetType())))), out var reports);
            frontEnds.Add((reports, frontEnd.Translate(new FrontEndContext(input, objects, validPools, poolSnapshots, traffic))));
        }

        // 4. Ports: one input each; then those shared between the valid policies.
        var valid = compiledPolicies.Where(p => !p.Report.IsInvalid).ToList();
        var ports = PortArbiter.Decide(valid, [.. frontEnds.Select(f => (IReadOnlyList<PortClaim>)f.Translation.Ports)]);
        foreach (var (claim, message) in ports.Refused) claim.Report.Conflict(claim.Field, message);
        var listeners = ListenerMerger.Merge(valid, ports.TakenFromNative, publicPorts: input.PublicPorts)
            .AddRange(frontEnds.SelectMany(f => f.Translation.Ports).Where(c => !ports.Refused.ContainsKey(c)).Select(c => c.Listener))
            .Sort((a, b) => a.Port.CompareTo(b.Port))
            // Where clients reach each listener (the ingress Service's port in a cluster): redirects name that port.
            .Select(l => input.PublicPort(l.Port) == l.Port ? l : l with { PublicPort = input.PublicPort(l.Port) }).ToImmutableArray();

        // 5. The snapshot: every valid pool (used or not) and the listeners, in a stable order.
        var used = poolSnapshots.Values.OfType<PoolSnapshot>()
            .Concat(frontEnds.SelectMany(f => f.Translation.Pools).DistinctBy(p => p.Id))
            .OrderBy(p => p.Id, StringComparer.Ordinal).ToImmutableArray();
        var generations = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (pool, report) in pools)
            if (poolSnapshots.GetValueOrDefault($"{report.Key.Namespace}/{report.Key.Name}") is not null)
                generations[report.Key.ToString()] = pool.Metadata.Generation ?? 0;
        foreach (var p in valid) generations[p.Report.Key.ToString()] = p.Policy.Metadata.Generation ?? 0;
        foreach (var (key, generation) in frontEnds.SelectMany(f => f.Translation.Generations)) generations[key.ToString()] = generation;

        var snapshot = new Snapshot
        {
            Version = 0,
            Listeners = listeners,
            Pools = used,
            Generations = generations.ToImmutable(),
            AcmeChallenges = input.AcmeChallenges.ToImmutableDictionary(StringComparer.Ordinal),
        };
        snapshot = snapshot with { Version = input.Version, ContentHash = SnapshotHash.Compute(snapshot) };

        // 6. Statuses and diagnostics, in resource order.
        var statuses = ImmutableDictionary.CreateBuilder<ResourceKey, ResourceStatus>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var report in poolReports)
        {
            if (!statuses.ContainsKey(report.Key))
                statuses[report.Key] = StatusBuilder.Build(report, endpoints: poolCounts.GetValueOrDefault(report.Key));
            diagnostics.AddRange(report.Problems.Select(p => p.Diagnostic));
        }
        foreach (var report in policyReports)
        {
            var compiled = compiledPolicies.FirstOrDefault(p => p.Report == report);
            if (!statuses.ContainsKey(report.Key))
                statuses[report.Key] = StatusBuilder.Build(report, splits: compiled is null || report.IsInvalid ? [] : [.. compiled.Splits]);
            diagnostics.AddRange(report.Problems.Select(p => p.Diagnostic));
        }

        foreach (var (reports, translation) in frontEnds)
        {
            foreach (var status in translation.Statuses(ports.Refused)) statuses.TryAdd(status.Resource, status);
            foreach (var report in reports)
            {
                // An object the front-end could not even read (defined twice, null holes) still gets the common status;
                // one it had nothing to say about (a Gateway of another controller) gets none.
                if (!statuses.ContainsKey(report.Key) && report.Problems.Count > 0) statuses[report.Key] = StatusBuilder.Build(report);
                diagnostics.AddRange(report.Problems.Select(p => p.Diagnostic));
            }
        }

        return new CompileResult { Snapshot = snapshot, Diagnostics = diagnostics.ToImmutable(), Statuses = statuses.ToImmutable() };
    }

    /// <summary>
    /// Pairs each resource with its report. A later resource with the same kind/namespace/name (two files
    /// defining one pool) is reported and dropped; its report still goes into the diagnostics.
    /// </summary>
    private static List<(T Resource, ResourceReport Report)> Deduplicate<T>(List<T> resources, out List<ResourceReport> reports) where T : Resource
    {
        var result = new List<(T, ResourceReport)>();
        reports = [];
        var seen = new Dictionary<ResourceKey, T>();
        foreach (var resource in resources)
        {
            var report = new ResourceReport(resource);
            reports.Add(report);
            NullGuard.Check(resource, report);
            if (report.IsInvalid) continue;
            if (string.IsNullOrEmpty(resource.Metadata.Name))
            {
                report.Error(FieldPath.Metadata.Field("name"), "required");
                continue;
            }
            if (seen.TryGetValue(resource.Key, out var first))
            {
                report.Error(FieldPath.Metadata.Field("name"), $"{resource.Key} is defined twice{(first.Source is { } s ? $" (first at {s})" : "")}; this one is ignored");
                continue;
            }
            seen[resource.Key] = resource;
            result.Add((resource, report));
        }
        return result;
    }
}
