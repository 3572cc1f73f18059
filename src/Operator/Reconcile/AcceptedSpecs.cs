using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Operator.State;

namespace Ballast.Operator.Reconcile;

/// <summary>
/// Which spec each resource compiles with (pure: no I/O, no clock). One team's typo must not take down others, nor
/// its own working config: a rejected resource (Accepted=False, or not even readable) is compiled with its last
/// accepted spec instead, and its status still says what is wrong with the new one.
/// </summary>
public static class AcceptedSpecs
{
    /// <summary>A spec this replica saw compile cleanly, with the very object it was parsed from.</summary>
    public sealed record Remembered(Resource Resource, JsonElement Served);

    /// <summary>
    /// The outcome of one pass. <paramref name="Rejected"/>: the resources whose current spec is refused;
    /// <paramref name="Fallbacks"/>: for those that have one, the spec they compile with; <paramref name="Remember"/>:
    /// this replica's memory of accepted specs after the pass; <paramref name="Problems"/>: fallbacks that could not be
    /// used, for the log.
    /// </summary>
    public sealed record Choice(
        IReadOnlySet<ResourceKey> Rejected,
        IReadOnlyDictionary<ResourceKey, AcceptedSpec> Fallbacks,
        IReadOnlyDictionary<ResourceKey, Remembered> Remember,
        IReadOnlyList<(ResourceKey Key, string Problem)> Problems);

    /// <param name="first">The statuses of a compile of the current specs.</param>
    /// <param name="unreadable">Resources that did not even deserialize.</param>
    /// <param name="parsed">The current specs that deserialized.</param>
    /// <param name="served">Every object as the API server serves it, by key.</param>
    /// <param name="stored">The fallbacks the leader persisted (every replica falls back alike with them).</param>
    /// <param name="remembered">This replica's memory from earlier passes.</param>
    public static Choice Choose(
        IReadOnlyDictionary<ResourceKey, ResourceStatus> first,
        IEnumerable<ResourceKey> unreadable,
        IEnumerable<Resource> parsed,
        IReadOnlyDictionary<ResourceKey, JsonElement> served,
        IReadOnlyDictionary<ResourceKey, AcceptedSpec> stored,
        IReadOnlyDictionary<ResourceKey, Remembered> remembered)
    {
        var rejected = first.Where(s => IsRejected(s.Value)).Select(s => s.Key).ToHashSet();
        rejected.UnionWith(unreadable);
        var problems = new List<(ResourceKey, string)>();
        var fallbacks = new Dictionary<ResourceKey, AcceptedSpec>();
        foreach (var key in rejected)
            if (served.TryGetValue(key, out var live) && FallbackFor(key, live, stored, remembered, problems) is { } fallback)
                fallbacks[key] = fallback;

        var remember = new Dictionary<ResourceKey, Remembered>(remembered);
        foreach (var resource in parsed)
            if (!rejected.Contains(resource.Key) && first.ContainsKey(resource.Key) && served.TryGetValue(resource.Key, out var obj))
                remember[resource.Key] = new Remembered(resource, obj);
        foreach (var key in remember.Keys.ToList())
            if (!first.ContainsKey(key) && !rejected.Contains(key)) remember.Remove(key); // deleted
        return new Choice(rejected, fallbacks, remember, problems);
    }

    /// <summary>The Compiler's input with every rejected resource replaced by its fallback (or left out when it has none).</summary>
    public static CompilerInput WithFallbacks(CompilerInput input, Choice choice) => input with
    {
        Pools = [.. input.Pools.Where(p => !choice.Rejected.Contains(p.Key)), .. choice.Fallbacks.Values.Select(f => f.Resource).OfType<BackendPool>()],
        Policies = [.. input.Policies.Where(p => !choice.Rejected.Contains(p.Key)), .. choice.Fallbacks.Values.Select(f => f.Resource).OfType<LoadBalancerPolicy>()],
    };

    /// <summary>
    /// The status each resource gets: a rejected one its own (what is wrong with the current spec, not the fallback's
    /// clean bill), an unreadable one <see cref="Status.StatusComposer.Unreadable"/>, every other one the final compile's.
    /// </summary>
    public static Dictionary<ResourceKey, ResourceStatus> Statuses(CompileResult first, CompileResult result, Choice choice, IEnumerable<DesiredState.Unreadable> unreadable)
    {
        var statuses = new Dictionary<ResourceKey, ResourceStatus>();
        foreach (var (key, status) in result.Statuses)
            statuses[key] = choice.Rejected.Contains(key) && first.Statuses.TryGetValue(key, out var own) ? own : status;
        foreach (var bad in unreadable)
            statuses[bad.Key] = Status.StatusComposer.Unreadable(bad.Key, bad.Generation, bad.Message);
        return statuses;
    }

    /// <summary>
    /// What a rejected resource compiles with: the same object's (same uid: a deleted and recreated resource must
    /// not come back with its predecessor's spec) last accepted spec — the stored one first, so that every replica
    /// falls back alike whatever it saw itself, else the one this replica accepted. Null: none, it drops out.
    /// </summary>
    private static AcceptedSpec? FallbackFor(ResourceKey key, JsonElement live, IReadOnlyDictionary<ResourceKey, AcceptedSpec> stored,
        IReadOnlyDictionary<ResourceKey, Remembered> remembered, List<(ResourceKey, string)> problems)
    {
        var uid = live.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("uid", out var u) ? u.GetString() ?? "" : "";
        if (uid.Length > 0 && stored.TryGetValue(key, out var persisted) && persisted.Uid == uid) return persisted;
        if (!remembered.TryGetValue(key, out var own) || (own.Resource.Metadata.Uid ?? "") != uid) return null;
        try { return AcceptedSpec.FromObject(key, own.Served); }
        catch (JsonException e)
        {
            problems.Add((key, $"last accepted spec unusable as a fallback: {e.Message}")); // cannot happen: it parsed when accepted
            return null;
        }
    }

    private static bool IsRejected(ResourceStatus status) =>
        status.Conditions.Any(c => c.Type == ConditionTypes.Accepted && c.Status == ConditionStatus.False);

    /// <summary>The objects of one kind as the API server serves them (an informer's copy), by resource key.</summary>
    public static IEnumerable<KeyValuePair<ResourceKey, JsonElement>> Served(IEnumerable<JsonElement> items, string kind) =>
        items.Select(item =>
        {
            var meta = item.TryGetProperty("metadata", out var m) ? m : default;
            string Field(string name) => meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
            var ns = Field("namespace");
            return KeyValuePair.Create(new ResourceKey(kind, ns.Length == 0 ? "default" : ns, Field("name")), item);
        });
}
