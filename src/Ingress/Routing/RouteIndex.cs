using System.Collections.Immutable;

namespace Ballast.Ingress.Routing;

/// <summary>
/// A listener's route table, indexed: the host picks the candidates, most specific first (the routes naming
/// the exact host, then those whose wildcard suffix matches, longest suffix first, then the any-host routes),
/// and within a host group the first route in table order whose match holds wins, found through a
/// <see cref="PathIndex{T}"/>. Host lookups go through span-keyed dictionaries: no allocation per request.
/// </summary>
public sealed class RouteIndex<T> where T : class
{
    private readonly Dictionary<string, PathIndex<T>> _exact;
    private readonly Dictionary<string, PathIndex<T>>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    /// <summary>Keyed by the suffix after "*." (e.g. "example.com").</summary>
    private readonly Dictionary<string, PathIndex<T>> _wildcard;
    private readonly Dictionary<string, PathIndex<T>>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;
    private readonly PathIndex<T> _anyHost;

    /// <param name="routes">In match order: earlier routes win among those whose match holds.</param>
    public RouteIndex(IReadOnlyList<(ImmutableArray<string> Hosts, RequestMatcher Matcher, T Value)> routes)
    {
        var exact = new Dictionary<string, List<(int, RequestMatcher, T)>>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, List<(int, RequestMatcher, T)>>(StringComparer.OrdinalIgnoreCase);
        var any = new List<(int, RequestMatcher, T)>();
        for (var order = 0; order < routes.Count; order++)
        {
            var (hosts, matcher, value) = routes[order];
            if (hosts.IsDefaultOrEmpty)
            {
                any.Add((order, matcher, value));
                continue;
            }
            foreach (var host in hosts)
            {
                var (map, key) = host.StartsWith("*.", StringComparison.Ordinal) ? (wildcard, host[2..]) : (exact, host.TrimEnd('.'));
                if (!map.TryGetValue(key, out var list)) map[key] = list = [];
                // A route naming one host twice (in different case) is one candidate.
                if (list.Count == 0 || list[^1].Item1 != order) list.Add((order, matcher, value));
            }
        }
        _exact = exact.ToDictionary(kv => kv.Key, kv => new PathIndex<T>(kv.Value), StringComparer.OrdinalIgnoreCase);
        _wildcard = wildcard.ToDictionary(kv => kv.Key, kv => new PathIndex<T>(kv.Value), StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        _anyHost = new PathIndex<T>(any);
    }

    /// <summary>
    /// The candidates <see cref="Match"/> considers for this request's host, in the order it considers them, each with
    /// the host group it belongs to ("host shop.example", "host *.example.com", "any host"). For explain: the first
    /// of them whose match holds is the one <see cref="Match"/> returns.
    /// </summary>
    public IEnumerable<(T Route, string HostGroup)> Candidates(HttpRequest request)
    {
        var host = HostName.Of(request.Host.Value.AsSpan()).ToString();
        if (_exact.TryGetValue(host, out var exact))
            foreach (var route in exact.InTableOrder) yield return (route, "host " + host.ToLowerInvariant());
        for (var dot = host.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = host.IndexOf('.', dot + 1))
        {
            var suffix = host[(dot + 1)..];
            if (_wildcard.TryGetValue(suffix, out var wild))
                foreach (var route in wild.InTableOrder) yield return (route, "host *." + suffix.ToLowerInvariant());
        }
        foreach (var route in _anyHost.InTableOrder) yield return (route, "any host");
    }

    public T? Match(HttpRequest request)
    {
        var host = HostName.Of(request.Host.Value.AsSpan());
        if (_exact.Count > 0 && _exactLookup.TryGetValue(host, out var exact) && exact.Match(request) is { } e) return e;
        if (_wildcard.Count > 0)
        {
            // "*.example.com" covers one or more labels: try "b.example.com", then "example.com" for "a.b.example.com".
            var rest = host;
            for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
            {
                rest = rest[(dot + 1)..];
                if (_wildcardLookup.TryGetValue(rest, out var wild) && wild.Match(request) is { } w) return w;
            }
        }
        return _anyHost.Match(request);
    }
}
