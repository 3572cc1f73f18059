using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

internal static class LoadBalancingRules
{
    private static readonly LoadBalancingSnapshot Defaults = new();

    public static LoadBalancingSnapshot Compile(ResourceReport r, FieldPath field, LoadBalancingSpec? spec)
    {
        if (spec is null) return Defaults;
        Ranges.Check(r, field.Field("virtualNodes"), spec.VirtualNodes, 1, 10_000);
        if (spec.TableSize is { } size && (size < 7 || size > 1_000_003 || !IsPrime(size)))
            r.Error(field.Field("tableSize"), $"must be a prime between 7 and 1000003 (e.g. 65537), got {size}");
        if (spec.BoundedLoadFactor is { } eps && !(eps > 0 && double.IsFinite(eps)))
            r.Error(field.Field("boundedLoadFactor"), $"must be greater than 0, got {eps}");

        var (source, name) = (Defaults.HashSource, (string?)null);
        var fallback = Defaults.HashFallback;
        if (spec.HashOn is { } h)
        {
            var sources = new List<(HashSource, string?)>();
            if (h.ClientIp == true) sources.Add((HashSource.ClientIp, null));
            if (h.Header is not null) sources.Add((HashSource.Header, h.Header));
            if (h.Cookie is not null) sources.Add((HashSource.Cookie, h.Cookie));
            if (h.Query is not null) sources.Add((HashSource.Query, h.Query));
            if (h.Path == true) sources.Add((HashSource.Path, null));
            var hashOn = field.Field("hashOn");
            if (sources.Count != 1)
                r.Error(hashOn, $"exactly one of clientIp, header, cookie, query, path is required, got {sources.Count}");
            else
            {
                (source, name) = sources[0];
                if (name is not null && !Names.IsToken(name))
                    r.Error(hashOn.Field(source.ToString().ToLowerInvariant()), $"\"{name}\" is not a valid name");
            }
            fallback = h.Fallback;
        }
        return new LoadBalancingSnapshot
        {
            Algorithm = spec.Algorithm,
            HashSource = source,
            HashName = name,
            HashFallback = fallback,
            VirtualNodes = spec.VirtualNodes ?? Defaults.VirtualNodes,
            TableSize = spec.TableSize ?? Defaults.TableSize,
            BoundedLoadFactor = spec.BoundedLoadFactor ?? Defaults.BoundedLoadFactor,
        };
    }

    /// <summary>The algorithms that spread by count, latency or chance alone: an endpoint's weight changes nothing.</summary>
    private static readonly HashSet<LoadBalancingAlgorithm> IgnoreWeights =
    [
        LoadBalancingAlgorithm.RoundRobin, LoadBalancingAlgorithm.Random, LoadBalancingAlgorithm.LeastConnections, LoadBalancingAlgorithm.LeastResponseTime,
    ];

    /// <summary>A warning per endpoint whose weight is not the default 1 when the pool's algorithm ignores weights (a weight out of range is an error already).</summary>
    public static void WarnIgnoredWeights(ResourceReport r, FieldPath endpointsField, IReadOnlyList<StaticEndpoint>? endpoints, LoadBalancingAlgorithm algorithm)
    {
        if (endpoints is null || !IgnoreWeights.Contains(algorithm)) return;
        var weighted = algorithm switch
        {
            LoadBalancingAlgorithm.Random => "WeightedRandom",
            LoadBalancingAlgorithm.LeastConnections => "WeightedLeastConnections",
            LoadBalancingAlgorithm.LeastResponseTime => "PowerOfTwoChoices",
            _ => "WeightedRoundRobin",
        };
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i].Weight is 1 or < 1 or > 1000) continue;
            r.Warn(ConditionReasons.Accepted, endpointsField.Index(i).Field("weight"),
                $"weight {endpoints[i].Weight} has no effect: {algorithm} ignores weights (use {weighted}, or drop the weight)");
        }
    }

    internal static bool IsPrime(int n)
    {
        if (n < 2) return false;
        for (var d = 2; (long)d * d <= n; d++) if (n % d == 0) return false;
        return true;
    }
}
