using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over <see cref="JsonNode"/> documents.</summary>
public static class Patches
{
    /// <summary>RFC 7386: objects merge recursively, null deletes, everything else (lists too) replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }
        return result;
    }

    /// <summary>RFC 6902 operations applied in order; a failed <c>test</c> or a bad path throws <see cref="PatchException"/>.</summary>
    public static JsonNode JsonPatch(JsonNode document, JsonArray operations)
    {
        var doc = document.DeepClone();
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op) throw new PatchException("each JSON patch operation must be an object");
            var kind = op["op"]?.GetValue<string>() ?? throw new PatchException("JSON patch operation without \"op\"");
            var path = op["path"]?.GetValue<string>() ?? throw new PatchException($"JSON patch \"{kind}\" without \"path\"");
            switch (kind)
            {
                case "add": doc = Add(doc, path, op["value"]?.DeepClone()); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace": doc = Remove(doc, path, out _); doc = Add(doc, path, op["value"]?.DeepClone()); break;
                case "move":
                    {
                        var from = op["from"]?.GetValue<string>() ?? throw new PatchException("move without \"from\"");
                        doc = Remove(doc, from, out var moved);
                        doc = Add(doc, path, moved);
                        break;
                    }
                case "copy":
                    {
                        var from = op["from"]?.GetValue<string>() ?? throw new PatchException("copy without \"from\"");
                        doc = Add(doc, path, Get(doc, from)?.DeepClone());
                        break;
                    }
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                        throw new PatchException($"test operation failed at \"{path}\"");
                    break;
                default: throw new PatchException($"unknown JSON patch op \"{kind}\"");
            }
        }
        return doc;
    }

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new PatchException($"invalid JSON pointer \"{pointer}\"");
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static JsonNode? Get(JsonNode doc, string pointer)
    {
        JsonNode? node = doc;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new PatchException($"path \"{pointer}\" does not exist"),
            };
        }
        return node;
    }

    private static JsonNode Add(JsonNode doc, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) return value ?? throw new PatchException("cannot replace the document with null");
        var parent = Get(doc, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count: a.Insert(i, value); break;
            default: throw new PatchException($"cannot add at \"{pointer}\"");
        }
        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string pointer, out JsonNode? removed)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) throw new PatchException("cannot remove the whole document");
        var parent = Get(doc, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                o.Remove(last);
                removed = child;
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default: throw new PatchException($"path \"{pointer}\" does not exist");
        }
        // A removed node still belongs to its old parent in System.Text.Json; detach by cloning.
        removed = removed?.DeepClone();
        return doc;
    }

    private static string ParentPointer(string[] tokens) =>
        tokens.Length == 1 ? "" : "/" + string.Join('/', tokens[..^1].Select(Escape));

    private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");
}

public sealed class PatchException(string message) : Exception(message);
