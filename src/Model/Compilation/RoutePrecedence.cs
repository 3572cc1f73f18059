using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>
/// The order of the routes of one listener; the data plane takes the first that matches, so the most
/// specific route must come first. See docs/routing.md. A route whose hosts differ in specificity is
/// split into one entry per specificity (same id), so each host sorts where it belongs.
/// </summary>
internal static class RoutePrecedence
{
    /// <summary>A route entry with the position of its resource and of the route inside it (the tie breakers).</summary>
    public sealed record Entry(RouteSnapshot Route, int ResourceOrder, int RouteIndex);

    public static List<RouteSnapshot> Order(IEnumerable<Entry> entries) =>
        entries.SelectMany(SplitByHostSpecificity)
            .OrderBy(e => e, Comparer.Instance)
            .Select(e => e.Route)
            .ToList();

    private static IEnumerable<Entry> SplitByHostSpecificity(Entry e)
    {
        if (e.Route.Match.Hosts.Length <= 1) return [e];
        return e.Route.Match.Hosts
            .GroupBy(HostRank)
            .OrderBy(g => g.Key)
            .Select(g => e with { Route = e.Route with { Match = e.Route.Match with { Hosts = [.. g] } } });
    }

    /// <summary>0 for exact hosts; wildcards after them, longer suffix first; "any host" last.</summary>
    private static int HostRank(string host) => host.StartsWith("*.", StringComparison.Ordinal) ? 1000 - (host.Length - 1) : 0;

    private static int HostRankOf(MatchSnapshot m) => m.Hosts.IsEmpty ? int.MaxValue : m.Hosts.Min(HostRank);

    private sealed class Comparer : IComparer<Entry>
    {
        public static readonly Comparer Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            var a = x!.Route.Match;
            var b = y!.Route.Match;
            int c;
            if ((c = HostRankOf(a).CompareTo(HostRankOf(b))) != 0) return c;
            if ((c = PathRank(a).CompareTo(PathRank(b))) != 0) return c;
            if ((c = b.Path.Length.CompareTo(a.Path.Length)) != 0) return c; // longer prefix / pattern first
            if ((c = a.Methods.IsEmpty.CompareTo(b.Methods.IsEmpty)) != 0) return c; // with methods first
            if ((c = b.Headers.Length.CompareTo(a.Headers.Length)) != 0) return c;
            if ((c = b.Query.Length.CompareTo(a.Query.Length)) != 0) return c;
            if ((c = x.ResourceOrder.CompareTo(y.ResourceOrder)) != 0) return c;
            return x.RouteIndex.CompareTo(y.RouteIndex);
        }

        private static int PathRank(MatchSnapshot m) => m.PathKind switch
        {
            PathMatchKind.Exact => 0,
            PathMatchKind.Prefix => 1,
            PathMatchKind.Regex => 2,
            _ => 3,
        };
    }
}
