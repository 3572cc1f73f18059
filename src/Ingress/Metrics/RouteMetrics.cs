using System.Collections.Concurrent;
using Ballast.Ingress.Endpoints;
using Prometheus;

namespace Ballast.Ingress.Metrics;

/// <summary>
/// Labelled children for one route, cached so that counting a request allocates nothing: the duration child,
/// and per endpoint the request counters by status class (index = status / 100, 0 for anything out of range).
/// </summary>
public sealed class RouteMetrics
{
    private readonly IngressMetrics _metrics;
    private readonly string _routeId;
    private readonly ConcurrentDictionary<EndpointState, Counter.Child[]> _byEndpoint = new(ReferenceEqualityComparer.Instance);

    public RouteMetrics(IngressMetrics metrics, string routeId)
    {
        _metrics = metrics;
        _routeId = routeId;
        Duration = metrics.RequestDuration.WithLabels(routeId);
    }

    public Histogram.Child Duration { get; }

    private static readonly string[] Classes = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];

    public void CountRequest(string poolId, EndpointState endpoint, int status)
    {
        if (!_byEndpoint.TryGetValue(endpoint, out var children))
        {
            children = _byEndpoint.GetOrAdd(endpoint, static (e, s) => s.self.CreateChildren(s.poolId, e), (self: this, poolId));
        }
        var index = status / 100;
        children[index is >= 1 and <= 5 ? index : 0].Inc();
    }

    private Counter.Child[] CreateChildren(string poolId, EndpointState endpoint)
    {
        var children = new Counter.Child[Classes.Length];
        for (var i = 0; i < Classes.Length; i++) children[i] = _metrics.Requests.WithLabels(_routeId, poolId, endpoint.Id, Classes[i]);
        return children;
    }
}
