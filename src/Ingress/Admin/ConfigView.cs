using System.Text.Json;
using Ballast.Ingress.Reloads;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The JSON of <c>/admin/config</c>: the snapshot being served (version, content hash), where it came from, what it holds
/// (listeners, pools) and each resource it was compiled from with its conditions. Never certificates' keys or secrets:
/// the admin port shows the configuration, not the credentials in it.
/// <code>
/// { "version": 3, "contentHash": "…", "source": "folder /etc/ballast", "appliedAt": "…",
///   "listeners": [ { "name": "http", "address": "0.0.0.0", "port": 8080, "kind": "Http", "routes": 1 } ],
///   "pools": [ { "id": "default/echo", "algorithm": "RoundRobin", "endpoints": 3 } ],
///   "resources": [ { "kind": "BackendPool", "namespace": "default", "name": "echo", "generation": 1,
///     "conditions": [ { "type": "Accepted", "status": "True", "reason": "Accepted", "message": "" } ] } ],
///   "warnings": [ "…" ] }
/// </code>
/// </summary>
public static class ConfigView
{
    public static void Write(Utf8JsonWriter json, Snapshot snapshot, ReloadJournal? reloads)
    {
        // The journal's report belongs to this snapshot only if the source recorded it (a test may apply snapshots directly).
        var applied = reloads?.Applied is { } a && a.Version == snapshot.Version && a.ContentHash == snapshot.ContentHash ? a : null;
        json.WriteStartObject();
        json.WriteNumber("version", snapshot.Version);
        json.WriteString("contentHash", snapshot.ContentHash);
        json.WriteString("source", reloads?.Source ?? "");
        if (applied is not null) json.WriteString("appliedAt", applied.AppliedAt);
        else json.WriteNull("appliedAt");

        WriteListeners(json, snapshot);

        json.WriteStartArray("pools");
        foreach (var pool in snapshot.Pools)
        {
            json.WriteStartObject();
            json.WriteString("id", pool.Id);
            json.WriteString("protocol", pool.Protocol.ToString());
            json.WriteString("algorithm", pool.LoadBalancing.Algorithm.ToString());
            json.WriteNumber("endpoints", pool.Endpoints.Length);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        WriteResources(json, snapshot, applied);

        json.WriteStartArray("warnings");
        foreach (var warning in applied?.Warnings ?? []) json.WriteStringValue(warning.ToString());
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The snapshot's listeners by port: name, address, port, kind and how many routes each carries.</summary>
    internal static void WriteListeners(Utf8JsonWriter json, Snapshot snapshot)
    {
        json.WriteStartArray("listeners");
        foreach (var listener in snapshot.Listeners.OrderBy(l => l.Port))
        {
            json.WriteStartObject();
            json.WriteString("name", listener.Name);
            json.WriteString("address", listener.Address);
            json.WriteNumber("port", listener.Port);
            json.WriteString("kind", listener.Kind.ToString());
            json.WriteNumber("routes", listener.Routes.Length + listener.L4Routes.Length);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// Every resource the snapshot was compiled from: with its conditions when the source compiled it here (standalone),
    /// with its generation only when the operator did (it writes the conditions on the resource: <c>kubectl get</c>).
    /// </summary>
    private static void WriteResources(Utf8JsonWriter json, Snapshot snapshot, AppliedConfiguration? applied)
    {
        json.WriteStartArray("resources");
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var status in applied?.Resources ?? [])
        {
            var key = status.Resource;
            written.Add(key.ToString());
            json.WriteStartObject();
            json.WriteString("kind", key.Kind);
            json.WriteString("namespace", key.Namespace);
            json.WriteString("name", key.Name);
            if (snapshot.Generations.TryGetValue(key.ToString(), out var generation)) json.WriteNumber("generation", generation);
            json.WriteStartArray("conditions");
            foreach (var condition in status.Conditions)
            {
                json.WriteStartObject();
                json.WriteString("type", condition.Type);
                json.WriteString("status", condition.Status);
                json.WriteString("reason", condition.Reason);
                json.WriteString("message", condition.Message);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        foreach (var (key, generation) in snapshot.Generations.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (written.Contains(key)) continue;
            json.WriteStartObject();
            json.WriteString("resource", key);
            json.WriteNumber("generation", generation);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
