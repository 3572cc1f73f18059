using System.Collections.Concurrent;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Prometheus;

namespace Ballast.Ingress.Runtime;

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

    /// <summary>
    /// Requests and 5xx answers counted so far for each endpoint this route has sent to (the status page's rates).
    /// Reads the cached children only: never creates a series, so it cannot bring back a retired one.
    /// </summary>
    public IEnumerable<(EndpointState Endpoint, double Requests, double Errors)> Counts()
    {
        foreach (var (endpoint, children) in _byEndpoint)
        {
            var requests = 0.0;
            foreach (var child in children) requests += child.Value;
            yield return (endpoint, requests, children[5].Value);
        }
    }

    private Counter.Child[] CreateChildren(string poolId, EndpointState endpoint)
    {
        // A request cut at the drain timeout may finish after its endpoint's series were deleted: it must not
        // bring them back (they would stay forever), so it counts into children no registry exports.
        var family = endpoint.Series.Retired ? Retired.Value : _metrics.Requests;
        var children = new Counter.Child[Classes.Length];
        for (var i = 0; i < Classes.Length; i++) children[i] = family.WithLabels(_routeId, poolId, endpoint.Id, Classes[i]);
        return children;
    }

    private static readonly Lazy<Counter> Retired = new(() => Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry())
        .CreateCounter("ballast_requests_total", "Requests to endpoints whose series were retired (never exported).",
            new CounterConfiguration { LabelNames = ["route", "pool", "endpoint", "code"] }));
}
