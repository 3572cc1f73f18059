using System.Text.Json;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The JSON of <c>/admin/routes</c>: each listener's route table in precedence order (the order the router honours: the
/// first route whose match holds wins; docs/routing.md), with what each route requires and where it sends traffic.
/// <code>
/// { "listeners": [ { "name": "http", "port": 8080, "kind": "Http", "routes": [
///   { "order": 1, "id": "shop/web/api", "hosts": ["shop.example"], "requires": ["path under /api", "method GET"],
///     "backends": [ { "pool": "shop/api", "weight": 90 }, { "pool": "shop/api-v2", "weight": 10 } ],
///     "canary": { "pool": "shop/api-v2", "header": "X-Canary", "value": "always" }, "redirect": null } ] } ] }
/// </code>
/// </summary>
public static class RoutesView
{
    public static void Write(Utf8JsonWriter json, DataPlaneState state)
    {
        json.WriteStartObject();
        json.WriteStartArray("listeners");
        foreach (var router in state.Routers.Values.OrderBy(r => r.Listener.Port))
        {
            WriteListener(json, router.Listener);
            json.WriteStartArray("routes");
            var order = 0;
            foreach (var route in router.Routes)
            {
                json.WriteStartObject();
                json.WriteNumber("order", ++order);
                json.WriteString("id", route.Id);
                WriteStrings(json, "hosts", route.Config.Match.Hosts);
                WriteStrings(json, "requires", route.Requirements);
                WriteBackends(json, route.Config.Backends);
                if (route.Config.Canary is { } canary)
                {
                    json.WriteStartObject("canary");
                    json.WriteString("pool", canary.PoolId);
                    if (canary.HeaderName is not null) { json.WriteString("header", canary.HeaderName); json.WriteString("value", canary.HeaderValue); }
                    if (canary.CookieName is not null) { json.WriteString("cookie", canary.CookieName); json.WriteString("value", canary.CookieValue); }
                    json.WriteEndObject();
                }
                if (route.Config.Redirect is { } redirect)
                {
                    json.WriteStartObject("redirect");
                    json.WriteNumber("status", redirect.StatusCode);
                    json.WriteString("scheme", redirect.Scheme);
                    json.WriteString("host", redirect.Host);
                    if (redirect.Port is { } port) json.WriteNumber("port", port);
                    json.WriteString("path", redirect.Path ?? redirect.PathPrefix);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        // L4 listeners: a route per SNI name set (TLS passthrough) or one route (TCP, UDP).
        foreach (var listener in state.Snapshot.Listeners.Where(l => l.Kind is not (ListenerKind.Http or ListenerKind.Https)).OrderBy(l => l.Port))
        {
            WriteListener(json, listener);
            json.WriteStartArray("routes");
            var order = 0;
            foreach (var route in listener.L4Routes)
            {
                json.WriteStartObject();
                json.WriteNumber("order", ++order);
                json.WriteString("id", route.Id);
                WriteStrings(json, "hosts", route.Hostnames);
                WriteBackends(json, route.Backends);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Opens the listener's object and writes its identity; the caller writes its routes and closes it.</summary>
    private static void WriteListener(Utf8JsonWriter json, ListenerSnapshot listener)
    {
        json.WriteStartObject();
        json.WriteString("name", listener.Name);
        json.WriteString("address", listener.Address);
        json.WriteNumber("port", listener.Port);
        json.WriteString("kind", listener.Kind.ToString());
    }

    private static void WriteBackends(Utf8JsonWriter json, IEnumerable<BackendSnapshot> backends)
    {
        json.WriteStartArray("backends");
        foreach (var backend in backends)
        {
            json.WriteStartObject();
            json.WriteString("pool", backend.PoolId);
            json.WriteNumber("weight", backend.Weight);
            if (backend.Status is { } status) json.WriteNumber("status", status);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    internal static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
