using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ballast.KubeEmulator;

/// <summary>
/// Server-side printing (<c>Accept: application/json;as=Table;g=meta.k8s.io;v=v1</c>, what <c>kubectl get</c> asks
/// for): a Name column, then a CRD's additionalPrinterColumns evaluated with their JSONPath on each object (several
/// results joined by commas, dates shown as ages), as the API server's CRD table convertor does.
/// </summary>
internal static partial class Tables
{
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, string resourceVersion, DateTimeOffset now)
    {
        var columns = type.Crd?.PrinterColumns ?? [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }];
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name",
            ["type"] = "string",
            ["format"] = "name",
            ["priority"] = 0,
            ["description"] = "Name must be unique within a namespace.",
        });
        foreach (var c in columns)
            definitions.Add(new JsonObject
            {
                ["name"] = c["name"]!.DeepClone(),
                ["type"] = c["type"]!.DeepClone(),
                ["format"] = "",
                ["description"] = c["description"]?.DeepClone() ?? "",
                ["priority"] = c["priority"]?.DeepClone() ?? 0,
            });
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray(obj["metadata"]!["name"]!.DeepClone());
            foreach (var c in columns) cells.Add(Cell(obj, c, now));
            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]!.DeepClone(),
                },
            });
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static JsonNode? Cell(JsonObject obj, JsonObject column, DateTimeOffset now)
    {
        var values = JsonPath.Evaluate(obj, column["jsonPath"]!.GetValue<string>()).Where(v => v is not null).ToList();
        if (values.Count == 0) return null;
        if (column["type"]?.GetValue<string>() == "date" && values[0]!.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(values[0]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return Age(now - at);
        if (values.Count == 1 && values[0] is JsonValue) return values[0]!.DeepClone();
        return string.Join(",", values.Select(v => v!.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()));
    }

    /// <summary>apimachinery's HumanDuration: 45s, 3m20s, 17m, 5h3m, 30h, 3d4h, 12d.</summary>
    public static string Age(TimeSpan t)
    {
        var s = (long)Math.Max(0, t.TotalSeconds);
        if (s < 120) return $"{s}s";
        var m = s / 60;
        if (m < 10) return s % 60 == 0 ? $"{m}m" : $"{m}m{s % 60}s";
        if (m < 180) return $"{m}m";
        var h = m / 60;
        if (h < 8) return m % 60 == 0 ? $"{h}h" : $"{h}h{m % 60}m";
        if (h < 48) return $"{h}h";
        var d = h / 24;
        if (d < 8) return h % 24 == 0 ? $"{d}d" : $"{d}d{h % 24}h";
        return $"{d}d";
    }
}

/// <summary>The JSONPath subset printer columns use: <c>.a.b</c>, <c>[0]</c>, <c>[*]</c>, <c>[?(@.k=="v")]</c>, <c>[?(@.k!="v")]</c>.</summary>
internal static partial class JsonPath
{
    public static List<JsonNode?> Evaluate(JsonNode root, string path)
    {
        List<JsonNode?> current = [root];
        foreach (Match step in Step().Matches(path))
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                if (step.Groups["field"].Success)
                {
                    if (node is JsonObject o && o.TryGetPropertyValue(step.Groups["field"].Value, out var v)) next.Add(v);
                }
                else if (step.Groups["index"].Success)
                {
                    if (node is JsonArray a && int.TryParse(step.Groups["index"].Value, out var i) && i < a.Count) next.Add(a[i]);
                }
                else if (step.Groups["all"].Success)
                {
                    if (node is JsonArray a) next.AddRange(a);
                }
                else if (node is JsonArray a)
                {
                    var key = step.Groups["key"].Value;
                    var wanted = step.Groups["value"].Value;
                    var equal = step.Groups["op"].Value == "==";
                    next.AddRange(a.Where(item => item is JsonObject o && (Text(o[key]) == wanted) == equal));
                }
            }
            current = next;
        }
        return current;
    }

    private static string? Text(JsonNode? n) => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n?.ToJsonString();

    [GeneratedRegex("""\.(?<field>[A-Za-z_][\w-]*)|\[(?<index>\d+)\]|\[(?<all>\*)\]|\[\?\(@\.(?<key>\w+)\s*(?<op>==|!=)\s*"(?<value>[^"]*)"\)\]""")]
    private static partial Regex Step();
}
