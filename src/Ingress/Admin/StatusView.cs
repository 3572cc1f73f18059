using System.Text.Json;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Reloads;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Admin;

/// <summary>Everything the status page shows, read once per poll.</summary>
public sealed record StatusInputs(DataPlaneState State, Readiness Readiness, ReloadJournal? Reloads, IReadOnlyList<ServedCertificate> Certificates,
    IReadOnlyList<Ballast.Acme.Listeners.AcmeListenerStatus> Acme, DateTimeOffset Now);

/// <summary>
/// The JSON the status page polls (<c>/admin/status</c>): listeners, routes, pools and endpoints (health state, weight,
/// in flight, request and 5xx counters), recent reloads with their errors, certificates with their expiry. Counters are
/// totals since the series began; the page turns two polls into rates. Read from the state the proxy serves from.
/// </summary>
public static class StatusView
{
    public static void Write(Utf8JsonWriter json, StatusInputs inputs)
    {
        var state = inputs.State;
        var snapshot = state.Snapshot;
        var (byRoute, byEndpoint) = Counts(state);
        json.WriteStartObject();
        json.WriteString("now", inputs.Now);
        json.WriteBoolean("ready", inputs.Readiness.Ready);
        json.WriteString("readiness", inputs.Readiness.Ready ? "ready" : inputs.Readiness.Reason);
        json.WriteNumber("version", snapshot.Version);
        json.WriteString("contentHash", snapshot.ContentHash);
        json.WriteString("source", inputs.Reloads?.Source ?? "");

        ConfigView.WriteListeners(json, snapshot);

        json.WriteStartArray("routes");
        foreach (var router in state.Routers.Values.OrderBy(r => r.Listener.Port))
        {
            foreach (var route in router.Routes)
            {
                var (requests, errors) = byRoute.GetValueOrDefault(route.Id);
                json.WriteStartObject();
                json.WriteString("listener", router.Listener.Name);
                json.WriteNumber("port", router.Listener.Port);
                json.WriteString("id", route.Id);
                RoutesView.WriteStrings(json, "hosts", route.Config.Match.Hosts);
                RoutesView.WriteStrings(json, "requires", route.Requirements);
                RoutesView.WriteStrings(json, "pools", route.Config.Backends.Select(b => b.Status is { } s ? $"answer {s}" : $"{b.PoolId} ×{b.Weight}"));
                json.WriteNumber("requests", requests);
                json.WriteNumber("errors", errors);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();

        json.WriteStartArray("pools");
        foreach (var pool in state.Pools.Values.OrderBy(p => p.Id, StringComparer.Ordinal)) WritePool(json, pool, byEndpoint);
        json.WriteEndArray();

        json.WriteStartArray("reloads");
        foreach (var reload in inputs.Reloads?.Recent ?? [])
        {
            json.WriteStartObject();
            json.WriteString("at", reload.At);
            json.WriteString("outcome", reload.Outcome.ToString().ToLowerInvariant());
            json.WriteNumber("version", reload.Version);
            RoutesView.WriteStrings(json, "errors", reload.Errors);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        WriteCertificates(json, inputs);
        json.WriteEndObject();
    }

    private static void WritePool(Utf8JsonWriter json, PoolRuntime pool, Dictionary<EndpointState, (double Requests, double Errors)> counts)
    {
        var mode = pool.Health.Mode;
        var available = new HashSet<EndpointState>(pool.Balancer.Endpoints, ReferenceEqualityComparer.Instance);
        json.WriteStartObject();
        json.WriteString("id", pool.Id);
        json.WriteString("mode", mode.ToString());
        json.WriteString("algorithm", pool.Config.LoadBalancing.Algorithm.ToString());
        json.WriteString("protocol", pool.Config.Protocol.ToString());
        json.WriteStartArray("endpoints");
        foreach (var endpoint in pool.Endpoints.Concat(pool.Health.Draining))
        {
            var (requests, errors) = counts.GetValueOrDefault(endpoint);
            json.WriteStartObject();
            json.WriteString("id", endpoint.Id);
            json.WriteString("state", EndpointStateNames.Of(endpoint, mode));
            json.WriteBoolean("available", available.Contains(endpoint));
            json.WriteBoolean("backup", endpoint.IsBackup);
            json.WriteNumber("weight", endpoint.Weight);
            json.WriteNumber("inFlight", endpoint.Load.InFlight);
            json.WriteNumber("requests", requests);
            json.WriteNumber("errors", errors);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCertificates(Utf8JsonWriter json, StatusInputs inputs)
    {
        json.WriteStartArray("certificates");
        foreach (var cert in inputs.Certificates.OrderBy(c => c.NotAfter))
        {
            json.WriteStartObject();
            json.WriteString("listener", cert.Listener);
            json.WriteString("source", cert.Source);
            json.WriteString("subject", cert.Subject);
            RoutesView.WriteStrings(json, "names", cert.DnsNames);
            json.WriteString("notAfter", cert.NotAfter);
            json.WriteNumber("daysLeft", Math.Floor((cert.NotAfter - inputs.Now).TotalDays));
            json.WriteEndObject();
        }
        // ACME listeners whose certificate is not issued yet (or failing) show here too, with the manager's message.
        foreach (var acme in inputs.Acme.Where(a => !a.Certificate.Ready))
        {
            json.WriteStartObject();
            json.WriteString("listener", acme.Key);
            json.WriteString("source", "acme");
            json.WriteString("subject", "");
            RoutesView.WriteStrings(json, "names", acme.Listener.Hostnames);
            json.WriteNull("notAfter");
            json.WriteNull("daysLeft");
            json.WriteString("message", acme.Certificate.Message);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// Requests and 5xx per route id and per endpoint, from the routes' cached counters. Two listeners can carry the same
    /// route (its id and series are shared), so a (route, endpoint) pair is counted once.
    /// </summary>
    private static (Dictionary<string, (double, double)> ByRoute, Dictionary<EndpointState, (double Requests, double Errors)> ByEndpoint) Counts(DataPlaneState state)
    {
        var pairs = new Dictionary<(string, EndpointState), (double Requests, double Errors)>();
        foreach (var router in state.Routers.Values)
            foreach (var route in router.Routes)
                foreach (var (endpoint, requests, errors) in route.Metrics.Counts())
                    pairs[(route.Id, endpoint)] = (requests, errors);
        var byRoute = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        var byEndpoint = new Dictionary<EndpointState, (double Requests, double Errors)>(ReferenceEqualityComparer.Instance);
        foreach (var ((routeId, endpoint), (requests, errors)) in pairs)
        {
            var r = byRoute.GetValueOrDefault(routeId);
            byRoute[routeId] = (r.Item1 + requests, r.Item2 + errors);
            var e = byEndpoint.GetValueOrDefault(endpoint);
            byEndpoint[endpoint] = (e.Requests + requests, e.Errors + errors);
        }
        return (byRoute, byEndpoint);
    }
}
