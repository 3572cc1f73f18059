using System.Text.Json;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The JSON of <c>/admin/pools</c>: per pool its availability mode and, per endpoint (including removed ones
/// still draining), its state and the numbers behind it.
/// <code>
/// { "pools": [ { "id": "ns/p", "mode": "Normal", "panicThresholdPercent": 50, "activeCheck": "Http", "passive": true,
///   "endpoints": [ { "id": "10.0.0.1:8080", "state": "healthy", "backup": false, "removed": false,
///     "activeHealthy": true, "ejected": false, "draining": false, "weight": 1, "effectiveWeight": 10,
///     "inFlight": 0, "consecutiveFailures": 0, "ejections": 0, "available": true } ] } ] }
/// </code>
/// </summary>
public static class PoolsView
{
    public static async Task WriteAsync(Stream output, IEnumerable<PoolRuntime> pools, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("pools");
        foreach (var pool in pools.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var health = pool.Health;
            var mode = health.Mode;
            var available = new HashSet<EndpointState>(pool.Balancer.Endpoints, ReferenceEqualityComparer.Instance);
            json.WriteStartObject();
            json.WriteString("id", pool.Id);
            json.WriteString("mode", mode.ToString());
            json.WriteNumber("panicThresholdPercent", pool.Config.PanicThresholdPercent);
            json.WriteString("activeCheck", pool.Config.ActiveHealth?.Kind.ToString());
            json.WriteBoolean("passive", pool.Config.PassiveHealth is not null);
            json.WriteStartArray("endpoints");
            foreach (var endpoint in pool.Endpoints.Concat(health.Draining))
            {
                json.WriteStartObject();
                json.WriteString("id", endpoint.Id);
                json.WriteString("state", EndpointStateNames.Of(endpoint, mode));
                json.WriteBoolean("backup", endpoint.IsBackup);
                json.WriteBoolean("removed", endpoint.Health.IsRemoved);
                json.WriteBoolean("activeHealthy", endpoint.Health.IsActiveHealthy);
                json.WriteBoolean("ejected", endpoint.Health.IsEjected);
                json.WriteBoolean("draining", endpoint.IsDraining);
                json.WriteNumber("weight", endpoint.Weight);
                json.WriteNumber("effectiveWeight", endpoint.EffectiveWeight);
                json.WriteNumber("inFlight", endpoint.Load.InFlight);
                json.WriteNumber("consecutiveFailures", endpoint.Health.ConsecutivePassiveFailures);
                json.WriteNumber("ejections", endpoint.Health.EjectionCount);
                json.WriteBoolean("available", available.Contains(endpoint));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }
}
