using Ballast.Ingress.Routing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// The routes of one listener, in the snapshot's order (the Compiler sorted it: more specific host, path,
/// method, header and query matches first), behind a <see cref="RouteIndex{T}"/>: the lookup costs the same
/// with 1 or 10,000 routes and allocates nothing.
/// </summary>
public sealed class ListenerRouter
{
    private readonly RouteIndex<RouteRuntime> _index;

    public ListenerRouter(ListenerSnapshot listener, IReadOnlyList<RouteRuntime> routes, Prometheus.Counter.Child noRoute)
    {
        Listener = listener;
        Routes = routes;
        NoRoute = noRoute;
        LogsRequests = listener.AccessLog is not null || routes.Any(r => r.Config.AccessLog is not null);
        _index = new RouteIndex<RouteRuntime>([.. routes.Select(r => (r.Config.Match.Hosts, r.Matcher, r))]);
    }

    public ListenerSnapshot Listener { get; }
    /// <summary>The listener's routes in match order (the snapshot's).</summary>
    public IReadOnlyList<RouteRuntime> Routes { get; }
    /// <summary>The listener or one of its routes writes access logs (see AccessLog/).</summary>
    public bool LogsRequests { get; }
    /// <summary>The listener's IP allow/deny list, checked before routing; null when it has none.</summary>
    public Policies.AccessControl.IpAccessList? Access { get; init; }
    /// <summary>Removes the listener's internal headers (configured name prefixes) from client requests; null when it has none.</summary>
    public Transforms.HeaderPrefixStripper? StripHeaders { get; init; }
    /// <summary>Counts this listener's 404s (cached child: no label lookup per request).</summary>
    public Prometheus.Counter.Child NoRoute { get; }

    public RouteRuntime? Match(HttpRequest request) => _index.Match(request);

    /// <summary>
    /// What the proxy does to pick a route, and explain with it: removes the listener's internal headers from the
    /// request, then <see cref="Match"/>.
    /// </summary>
    public RouteRuntime? Route(HttpRequest request)
    {
        StripHeaders?.Strip(request.Headers);
        return _index.Match(request);
    }

    /// <summary>
    /// Which route takes this request and why, for <c>/admin/explain</c>: the route comes from <see cref="Route"/>, the
    /// proxy's own call, and the candidates the index considered before it are listed
    /// with what each lacked (<see cref="RequestMatcher.FirstMismatch"/>, the same predicates). Allocates freely: never
    /// on the request path.
    /// </summary>
    public RouteExplanation Explain(HttpRequest request)
    {
        var route = Route(request);
        var skipped = new List<SkippedRoute>();
        string? hostGroup = null;
        foreach (var (candidate, group) in _index.Candidates(request))
        {
            if (ReferenceEquals(candidate, route))
            {
                hostGroup = group;
                break;
            }
            // A candidate that matches but is not the route would mean explain and the proxy disagree: say so rather than hide it.
            skipped.Add(new SkippedRoute(candidate, group, candidate.Matcher.FirstMismatch(request) ?? "nothing: explain disagrees with the router here (a bug)"));
        }
        return new RouteExplanation(route, hostGroup, route?.Matcher.Requirements() ?? [], skipped);
    }
}

/// <summary>A route the router tried before the one it took (or before giving up), and the first thing it lacked.</summary>
public sealed record SkippedRoute(RouteRuntime Route, string HostGroup, string Lacked);

/// <summary>The router's answer for one request: the route (null: 404) with its host group and what it requires, and the routes passed over.</summary>
public sealed record RouteExplanation(RouteRuntime? Route, string? HostGroup, IReadOnlyList<string> Requirements, IReadOnlyList<SkippedRoute> Skipped);
