namespace Ballast.Model.GatewayApi;

/// <summary>
/// Gateway API host names: exact (<c>foo.example.com</c>) or a wildcard (<c>*.example.com</c>) that stands for one or
/// more labels in front of the suffix (it matches <c>a.b.example.com</c>, never <c>example.com</c>). Lower case.
/// </summary>
internal static class Hostnames
{
    public static bool IsWildcard(string h) => h.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>True when every name <paramref name="inner"/> stands for is also one <paramref name="outer"/> stands for.</summary>
    public static bool Within(string inner, string outer)
    {
        if (inner == outer) return true;
        if (!IsWildcard(outer)) return false;
        var suffix = outer[1..]; // ".example.com"
        var innerBody = IsWildcard(inner) ? inner[1..] : inner;
        // "*.a.example.com" is within "*.example.com"; "a.example.com" too; "example.com" is not.
        return innerBody.Length > suffix.Length && innerBody.EndsWith(suffix, StringComparison.Ordinal);
    }

    /// <summary>The names a route's host name and a listener's both serve (null listener: any), or null when none.</summary>
    public static string? Intersect(string route, string? listener)
    {
        if (listener is null) return route;
        if (Within(route, listener)) return route;
        if (Within(listener, route)) return listener;
        return null;
    }

    /// <summary>
    /// The route's host names on a listener: its own names intersected with the listener's (the listener's alone when
    /// the route names none). Empty list with <c>true</c>: any host. <c>false</c>: nothing in common.
    /// </summary>
    public static bool OnListener(IReadOnlyList<string> routeHosts, string? listenerHost, out List<string> hosts)
    {
        hosts = [];
        if (routeHosts.Count == 0)
        {
            if (listenerHost is not null) hosts.Add(listenerHost);
            return true;
        }
        foreach (var h in routeHosts)
            if (Intersect(h, listenerHost) is { } both && !hosts.Contains(both)) hosts.Add(both);
        return hosts.Count > 0;
    }

    /// <summary>More specific first: exact names, then wildcards with the longer suffix; no host name last.</summary>
    public static int Specificity(string? h) => h is null ? int.MaxValue : IsWildcard(h) ? 1000 - h.Length : 0;
}
