using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ballast.Model.Yaml;

/// <summary>Where each field of a document sits in the file: the key's position and the value's position.</summary>
internal sealed class MarkMap
{
    private readonly Dictionary<string, (Mark Key, Mark Value)> _marks = new(StringComparer.Ordinal);

    public void Add(string path, Mark key, Mark value) => _marks[path] = (key, value);

    /// <summary>The value's position of <paramref name="path"/>, or of its nearest recorded parent.</summary>
    public Mark? ValueOf(string path) => Find(path, key: false);

    /// <summary>The key's position (for "unknown field"), or the value's when the path is a list item.</summary>
    public Mark? KeyOf(string path) => Find(path, key: true);

    private Mark? Find(string path, bool key)
    {
        for (var p = path; ; p = FieldPaths.Parent(p))
        {
            if (_marks.TryGetValue(p, out var m)) return key ? m.Key : m.Value;
            if (p.Length == 0) return null;
        }
    }
}

internal static class FieldPaths
{
    public static string Child(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;
    public static string Item(string parent, int index) => $"{parent}[{index}]";

    public static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}

/// <summary>
/// Turns a YAML node into JSON the way Kubernetes does (sigs.k8s.io/yaml): plain scalars resolve to
/// null, booleans and numbers; quoted scalars stay strings. Keys are always strings. We follow the
/// YAML 1.2 core schema, so <c>yes</c>/<c>on</c> stay strings (a key named <c>on</c> must stay a key).
/// </summary>
internal static partial class YamlToJson
{
    public static JsonNode? Convert(YamlNode node, string path, MarkMap marks, List<(string Path, Mark Mark, string Message)> errors)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode { Value: { } key })
                    {
                        errors.Add((path, k.Start, "keys must be plain strings"));
                        continue;
                    }
                    var childPath = FieldPaths.Child(path, key);
                    if (obj.ContainsKey(key))
                    {
                        errors.Add((childPath, k.Start, "duplicate key"));
                        continue;
                    }
                    marks.Add(childPath, k.Start, v.Start);
                    obj[key] = Convert(v, childPath, marks, errors);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                var i = 0;
                foreach (var item in seq.Children)
                {
                    var itemPath = FieldPaths.Item(path, i++);
                    marks.Add(itemPath, item.Start, item.Start);
                    arr.Add(Convert(item, itemPath, marks, errors));
                }
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                errors.Add((path, node.Start, "YAML aliases are not supported"));
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str") return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (DecimalInt().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return JsonValue.Create(l);
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            return JsonValue.Create(hex);
        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
