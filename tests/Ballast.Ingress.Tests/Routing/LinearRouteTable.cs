using System.Collections.Immutable;
using Ballast.Ingress.Routing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Routing;

/// <summary>
/// The test oracle: the router as it was before the index, a linear first-match scan within each host group
/// (exact host, then wildcard suffixes longest first, then any host). Obviously right, slow with many routes.
/// </summary>
internal sealed class LinearRouteTable<T> where T : class
{
    private readonly Dictionary<string, List<(RequestMatcher Matcher, T Value)>> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(RequestMatcher Matcher, T Value)>> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(RequestMatcher Matcher, T Value)> _any = [];

    public LinearRouteTable(IReadOnlyList<(ImmutableArray<string> Hosts, RequestMatcher Matcher, T Value)> routes)
    {
        foreach (var (hosts, matcher, value) in routes)
        {
            if (hosts.IsDefaultOrEmpty)
            {
                _any.Add((matcher, value));
                continue;
            }
            foreach (var host in hosts)
            {
                var (map, key) = host.StartsWith("*.", StringComparison.Ordinal) ? (_wildcard, host[2..]) : (_exact, host.TrimEnd('.'));
                if (!map.TryGetValue(key, out var list)) map[key] = list = [];
                if (!list.Contains((matcher, value))) list.Add((matcher, value));
            }
        }
    }

    public T? Match(HttpRequest request)
    {
        var host = HostName.Of(request.Host.Value.AsSpan()).ToString();
        if (_exact.TryGetValue(host, out var exact) && First(exact, request) is { } e) return e;
        for (var dot = host.IndexOf('.'); dot >= 0; dot = host.IndexOf('.'))
        {
            host = host[(dot + 1)..];
            if (_wildcard.TryGetValue(host, out var wild) && First(wild, request) is { } w) return w;
        }
        return First(_any, request);
    }

    private static T? First(List<(RequestMatcher Matcher, T Value)> routes, HttpRequest request) =>
        routes.FirstOrDefault(r => r.Matcher.Matches(request)).Value;
}
