using System.Text;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;
using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Tests.Metrics;

/// <summary>Which series a retired entity takes with it, on a registry of the test's own.</summary>
public sealed class SeriesOwnersTests
{
    [Fact]
    public async Task Removing_an_endpoint_takes_only_its_series_in_its_pool_and_leaves_the_same_address_in_another_pool()
    {
        var metrics = new IngressMetrics();
        var inA = new EndpointState(new EndpointSnapshot { Host = "10.0.0.7", Port = 80 });
        var inB = new EndpointState(new EndpointSnapshot { Host = "10.0.0.7", Port = 80 });
        var route = new RouteMetrics(metrics, "r");
        route.CountRequest("ns/a", inA, 200);
        route.CountRequest("ns/b", inB, 200);

        metrics.Series.RemoveEndpoint("ns/a", inA.Id);

        var text = await ScrapeAsync(metrics.Registry);
        Assert.DoesNotContain("pool=\"ns/a\"", text);
        Assert.Contains("ballast_requests_total{route=\"r\",pool=\"ns/b\",endpoint=\"10.0.0.7:80\",code=\"2xx\"} 1", text);
    }

    [Fact]
    public async Task Removing_a_route_takes_its_labelled_and_its_scoped_series_and_nothing_of_other_routes()
    {
        var metrics = new IngressMetrics();
        PolicyMetrics.Of(metrics.Registry).RateLimited.WithLabels("r").Inc();
        PolicyMetrics.Of(metrics.Registry).AccessDenied.WithLabels("route:r").Inc();
        PolicyMetrics.Of(metrics.Registry).AuthFailures.WithLabels("r", "jwt", "missing").Inc();
        ShapingMetrics.Of(metrics.Registry).TimedOut.WithLabels("r").Inc();
        PolicyMetrics.Of(metrics.Registry).RateLimited.WithLabels("r-other").Inc();
        PolicyMetrics.Of(metrics.Registry).AccessDenied.WithLabels("listener:r").Inc();

        metrics.Series.RemoveRoute("r");

        var text = await ScrapeAsync(metrics.Registry);
        Assert.DoesNotContain("\"r\"", text);
        Assert.DoesNotContain("\"route:r\"", text);
        Assert.Contains("ballast_rate_limited_total{route=\"r-other\"} 1", text);
        Assert.Contains("ballast_access_denied_total{scope=\"listener:r\"} 1", text);
    }

    [Fact]
    public async Task An_L4_endpoint_removed_and_seen_again_counts_into_fresh_exported_series()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var l4 = new L4Metrics(registry);
        var endpoint = new EndpointState(new EndpointSnapshot { Host = "10.0.0.9", Port = 53 });
        l4.For("ns/dns", endpoint).BytesIn.Inc(100);

        SeriesOwners.Of(registry).RemoveEndpoint("ns/dns", endpoint.Id);
        Assert.DoesNotContain("10.0.0.9", await ScrapeAsync(registry));

        l4.For("ns/dns", endpoint).BytesIn.Inc(7); // the cache forgot the old (unexported) children
        Assert.Contains("ballast_l4_bytes_total{pool=\"ns/dns\",endpoint=\"10.0.0.9:53\",direction=\"in\"} 7", await ScrapeAsync(registry));
    }

    [Fact]
    public async Task A_request_to_an_endpoint_whose_series_were_retired_does_not_bring_them_back()
    {
        var metrics = new IngressMetrics();
        var endpoint = new EndpointState(new EndpointSnapshot { Host = "10.0.0.8", Port = 80 });
        endpoint.Series.MarkRetired();

        new RouteMetrics(metrics, "r").CountRequest("ns/a", endpoint, 200);

        Assert.DoesNotContain("10.0.0.8", await ScrapeAsync(metrics.Registry));
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
