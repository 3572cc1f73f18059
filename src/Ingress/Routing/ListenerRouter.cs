using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Routing;

/// <summary>
/// The routes of one listener. The host picks the candidates, most specific first: the routes naming the
/// exact host, then those whose wildcard suffix matches (longest suffix first), then the any-host routes;
/// within each group the snapshot's order holds (the Compiler sorted it: more specific path, method, header
/// and query matches first) and the first route whose request match holds wins.
/// No allocation per request: host lookups go through span-keyed dictionaries.
/// </summary>
public sealed class ListenerRouter
{
    private readonly Dictionary<string, RouteRuntime[]> _exact;
    private readonly Dictionary<string, RouteRuntime[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    /// <summary>Keyed by the suffix after "*." (e.g. "example.com").</summary>
    private readonly Dictionary<string, RouteRuntime[]> _wildcard;
    private readonly Dictionary<string, RouteRuntime[]>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;
    private readonly RouteRuntime[] _anyHost;

    public ListenerRouter(ListenerSnapshot listener, IReadOnlyList<RouteRuntime> routes, Prometheus.Counter.Child noRoute)
    {
        Listener = listener;
        NoRoute = noRoute;
        var exact = new Dictionary<string, List<RouteRuntime>>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, List<RouteRuntime>>(StringComparer.OrdinalIgnoreCase);
        var any = new List<RouteRuntime>();
        foreach (var route in routes)
        {
            if (route.Config.Match.Hosts.IsDefaultOrEmpty)
            {
                any.Add(route);
                continue;
            }
            foreach (var host in route.Config.Match.Hosts)
            {
                var (map, key) = host.StartsWith("*.", StringComparison.Ordinal) ? (wildcard, host[2..]) : (exact, host.TrimEnd('.'));
                if (!map.TryGetValue(key, out var list)) map[key] = list = [];
                if (!list.Contains(route)) list.Add(route);
            }
        }
        _exact = exact.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        _wildcard = wildcard.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        _anyHost = [.. any];
    }

    public ListenerSnapshot Listener { get; }
    /// <summary>The listener's IP allow/deny list, checked before routing; null when it has none.</summary>
    public Policies.AccessControl.IpAccessList? Access { get; init; }
    /// <summary>Removes the listener's internal headers (configured name prefixes) from client requests; null when it has none.</summary>
    public Policies.Shaping.HeaderPrefixStripper? StripHeaders { get; init; }
    /// <summary>Counts this listener's 404s (cached child: no label lookup per request).</summary>
    public Prometheus.Counter.Child NoRoute { get; }

    public RouteRuntime? Match(HttpRequest request)
    {
        var host = HostName.Of(request.Host.Value.AsSpan());
        if (_exact.Count > 0 && _exactLookup.TryGetValue(host, out var exact) && First(exact, request) is { } e) return e;
        if (_wildcard.Count > 0)
        {
            // "*.example.com" covers one or more labels: try "b.example.com", then "example.com" for "a.b.example.com".
            var rest = host;
            for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
            {
                rest = rest[(dot + 1)..];
                if (_wildcardLookup.TryGetValue(rest, out var wild) && First(wild, request) is { } w) return w;
            }
        }
        return First(_anyHost, request);
    }

    private static RouteRuntime? First(RouteRuntime[] routes, HttpRequest request)
    {
        foreach (var route in routes)
        {
            if (route.Matcher.Matches(request)) return route;
        }
        return null;
    }
}
