using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
using Ballast.Model.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ballast.Model.Ingresses.Migration;

/// <summary>What <c>ballast migrate</c> read: the Ingresses and IngressClasses, and every problem with file, line and field.</summary>
public sealed record IngressManifests(List<Ingress> Ingresses, List<IngressClass> Classes, List<Diagnostic> Diagnostics);

/// <summary>
/// Reads Ingress manifests as people keep them: multi-document YAML, <c>kind: List</c> (what <c>kubectl get -o yaml</c>
/// prints), other kinds mixed in (skipped). A malformed Ingress is reported (<c>file:line:col</c> and field) and left out.
/// </summary>
public static class IngressManifestReader
{
    public static void Read(string yaml, string file, IngressManifests into)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            into.Diagnostics.Add(new Diagnostic(null, "", $"invalid YAML, the whole file is skipped: {e.Message}", new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column)));
            return;
        }
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode) continue; // an empty document
            var marks = new MarkMap();
            var errors = new List<(string Path, Mark Mark, string Message)>();
            var node = YamlToJson.Convert(doc.RootNode, "", marks, errors);
            var where = new SourceLocation(file, (int)doc.RootNode.Start.Line, (int)doc.RootNode.Start.Column);
            foreach (var (path, mark, message) in errors)
                into.Diagnostics.Add(new Diagnostic(null, path, message, new SourceLocation(file, (int)mark.Line, (int)mark.Column)));
            if (errors.Count == 0 && node is JsonObject obj) Object(obj, "", marks, file, where, into);
        }
    }

    private static void Object(JsonObject obj, string path, MarkMap marks, string file, SourceLocation where, IngressManifests into)
    {
        var kind = (obj["kind"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? obj["kind"]!.GetValue<string>() : null;
        var apiVersion = (obj["apiVersion"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? obj["apiVersion"]!.GetValue<string>() : null;
        if (kind == "List" && obj["items"] is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
                if (items[i] is JsonObject item)
                {
                    var itemPath = $"{Prefix(path)}items[{i}]";
                    var mark = marks.ValueOf(itemPath);
                    Object(item, itemPath, marks, file, mark is { } m ? new SourceLocation(file, (int)m.Line, (int)m.Column) : where, into);
                }
            return;
        }
        Type? type = kind switch { Ingress.KindName => typeof(Ingress), IngressClass.KindName => typeof(IngressClass), _ => null };
        if (type is null || apiVersion is null || !apiVersion.StartsWith(NetworkingApi.Group + "/", StringComparison.Ordinal)) return;
        if (apiVersion != NetworkingApi.ApiVersion)
        {
            into.Diagnostics.Add(new Diagnostic(null, $"{Prefix(path)}apiVersion", $"\"{apiVersion}\" is not served by Kubernetes 1.22 and later: use {NetworkingApi.ApiVersion}", where));
            return;
        }
        var name = obj["metadata"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        var ns = obj["metadata"]?["namespace"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
        ResourceKey? key = name is null ? null : new ResourceKey(kind!, ns ?? "default", name);
        var shape = new List<(string Path, string Message, bool AtKey)>();
        ShapeChecker.Check(obj, type, "", nullable: false, shape);
        if (name is null) shape.Add(("metadata.name", "required", false));
        if (shape.Count > 0)
        {
            foreach (var (p, message, atKey) in shape)
            {
                var full = path.Length == 0 ? p : p.Length == 0 ? path : $"{path}.{p}";
                var mark = atKey ? marks.KeyOf(full) : marks.ValueOf(full);
                into.Diagnostics.Add(new Diagnostic(key, p, message, mark is { } m ? new SourceLocation(file, (int)m.Line, (int)m.Column) : where));
            }
            return;
        }
        try
        {
            var resource = (Resource)obj.Deserialize(type, ModelJson.Options)!;
            resource.Source = where;
            if (resource is Ingress ingress) into.Ingresses.Add(ingress);
            else into.Classes.Add((IngressClass)resource);
        }
        catch (JsonException e)
        {
            into.Diagnostics.Add(new Diagnostic(key, (e.Path ?? "").TrimStart('$', '.'), e.Message, where));
        }
    }

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ".";
}
