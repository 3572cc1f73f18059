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
        NoRoute = noRoute;
        LogsRequests = listener.AccessLog is not null || routes.Any(r => r.Config.AccessLog is not null);
        _index = new RouteIndex<RouteRuntime>([.. routes.Select(r => (r.Config.Match.Hosts, r.Matcher, r))]);
    }

    public ListenerSnapshot Listener { get; }
    /// <summary>The listener or one of its routes writes access logs (see AccessLog/).</summary>
    public bool LogsRequests { get; }
    /// <summary>The listener's IP allow/deny list, checked before routing; null when it has none.</summary>
    public Policies.AccessControl.IpAccessList? Access { get; init; }
    /// <summary>Removes the listener's internal headers (configured name prefixes) from client requests; null when it has none.</summary>
    public Transforms.HeaderPrefixStripper? StripHeaders { get; init; }
    /// <summary>Counts this listener's 404s (cached child: no label lookup per request).</summary>
    public Prometheus.Counter.Child NoRoute { get; }

    public RouteRuntime? Match(HttpRequest request) => _index.Match(request);
}
