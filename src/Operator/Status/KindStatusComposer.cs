using System.Text.Json.Nodes;

namespace Ballast.Operator.Status;

/// <summary>
/// The status a front-end object (Gateway API) gets, from the Compiler's status in the kind's own shape: every
/// condition keeps its <c>lastTransitionTime</c> while its status stays the same (the time it changed otherwise),
/// and a route keeps the parent entries other controllers wrote (the spec: each controller owns its own).
/// </summary>
public static class KindStatusComposer
{
    public static JsonObject Compose(JsonObject desired, JsonObject? existing, string controllerName, DateTimeOffset now)
    {
        var truncated = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Stamp(desired, existing, truncated.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        if (desired["parents"] is JsonArray parents && existing?["parents"] is JsonArray before)
            foreach (var other in before.Where(p => p?["controllerName"]?.GetValue<string>() != controllerName))
                parents.Add(other!.DeepClone());
        return desired;
    }

    private static void Stamp(JsonNode? desired, JsonNode? existing, string now)
    {
        if (desired is JsonObject obj)
        {
            foreach (var (name, value) in obj.ToList())
            {
                if (name == "conditions" && value is JsonArray conditions)
                {
                    foreach (var c in conditions.OfType<JsonObject>())
                    {
                        var before = (existing?["conditions"] as JsonArray)?.OfType<JsonObject>()
                            .FirstOrDefault(e => e["type"]?.GetValue<string>() == c["type"]?.GetValue<string>());
                        var same = before is not null && before["status"]?.GetValue<string>() == c["status"]?.GetValue<string>() && before["lastTransitionTime"] is not null;
                        c["lastTransitionTime"] = same ? before!["lastTransitionTime"]!.DeepClone() : now;
                    }
                }
                else Stamp(value, existing?[name], now);
            }
        }
        else if (desired is JsonArray array)
        {
            var old = existing as JsonArray;
            for (var i = 0; i < array.Count; i++) Stamp(array[i], Counterpart(array[i], old, i), now);
        }
    }

    /// <summary>The same entry in the existing list: by name (listeners), by parentRef (route parents), else by position.</summary>
    private static JsonNode? Counterpart(JsonNode? item, JsonArray? old, int index)
    {
        if (old is null) return null;
        if (item?["name"] is { } name) return old.FirstOrDefault(o => JsonNode.DeepEquals(o?["name"], name));
        if (item?["parentRef"] is { } parent) return old.FirstOrDefault(o => JsonNode.DeepEquals(o?["parentRef"], parent));
        return index < old.Count ? old[index] : null;
    }
}
