using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Resources.Core;
using Ballast.Model.Serialization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ballast.Model.Yaml;

/// <summary>What a folder or a file of YAML held: the resources that parsed, and every problem found.</summary>
public sealed record LoadResult
{
    public IReadOnlyList<LoadBalancerPolicy> Policies { get; init; } = [];
    public IReadOnlyList<BackendPool> Pools { get; init; } = [];
    /// <summary>Objects of the front-ends (Gateway API …), for <see cref="CompilerInput.Inputs"/>.</summary>
    public IReadOnlyList<Resource> Inputs { get; init; } = [];
    /// <summary>Services with their EndpointSlices from the folder, resolved as the operator resolves them in a cluster.</summary>
    public ImmutableDictionary<string, ResolvedService> Services { get; init; } = ImmutableDictionary<string, ResolvedService>.Empty;
    /// <summary>Secrets from the folder, decoded, by <c>namespace/name</c>.</summary>
    public ImmutableDictionary<string, ResolvedSecret> Secrets { get; init; } = ImmutableDictionary<string, ResolvedSecret>.Empty;
    /// <summary>Labels of the Namespaces in the folder.</summary>
    public ImmutableDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        ImmutableDictionary<string, IReadOnlyDictionary<string, string>>.Empty;
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>The Compiler's input made of everything loaded (what standalone mode and <c>validate</c> compile).</summary>
    public CompilerInput ToCompilerInput() => new()
    {
        Policies = Policies,
        Pools = Pools,
        Inputs = Inputs,
        Services = Services,
        Secrets = Secrets,
        NamespaceLabels = NamespaceLabels,
    };

    /// <summary>Field positions of each loaded document, keyed by the document's start (a resource's <see cref="Resource.Source"/>).</summary>
    internal IReadOnlyDictionary<SourceLocation, MarkMap> Marks { get; init; } = new Dictionary<SourceLocation, MarkMap>();

    /// <summary>
    /// Points a Compiler diagnostic (which knows only the resource's document) at the line of its field,
    /// so <c>validate</c> and the file provider can say <c>pool.yaml:12:9</c>.
    /// </summary>
    public Diagnostic Locate(Diagnostic diagnostic)
    {
        if (diagnostic.Location is not { } doc || !Marks.TryGetValue(doc, out var marks)) return diagnostic;
        // A map key in brackets (metadata.annotations["nginx.ingress.kubernetes.io/limit-rps"]) is a plain child in the marks.
        var path = diagnostic.FieldPath.Replace("[\"", ".", StringComparison.Ordinal).Replace("\"]", "", StringComparison.Ordinal);
        return marks.ValueOf(path) is { } m
            ? diagnostic with { Location = new SourceLocation(doc.File, (int)m.Line, (int)m.Column) }
            : diagnostic;
    }
}

/// <summary>
/// Reads CR-shaped YAML (the same documents <c>kubectl apply</c> takes) into typed resources.
/// A resource with any problem is left out and every problem names file, line, column and field.
/// </summary>
public static class ResourceLoader
{
    /// <summary>Every <c>*.yaml</c> and <c>*.yml</c> below <paramref name="dir"/>, in path order; paths in messages are relative to it.</summary>
    public static LoadResult LoadDirectory(string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var acc = new Accumulator();
        foreach (var rel in files)
        {
            string text;
            try { text = File.ReadAllText(Path.Combine(dir, rel)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                acc.Diagnostics.Add(new Diagnostic(null, "", $"cannot read file: {e.Message}", new SourceLocation(rel, 1, 1)));
                continue;
            }
            Load(text, rel, acc);
        }
        return acc.ToResult();
    }

    public static LoadResult LoadText(string yaml, string fileName)
    {
        var acc = new Accumulator();
        Load(yaml, fileName, acc);
        return acc.ToResult();
    }

    private sealed class Accumulator
    {
        public readonly List<LoadBalancerPolicy> Policies = [];
        public readonly List<BackendPool> Pools = [];
        public readonly List<Resource> Inputs = [];
        public readonly List<Service> Services = [];
        public readonly List<EndpointSlice> Slices = [];
        public readonly List<Secret> Secrets = [];
        public readonly List<Namespace> Namespaces = [];
        public readonly List<Diagnostic> Diagnostics = [];
        public readonly Dictionary<SourceLocation, MarkMap> Marks = [];

        public void Add(Resource resource)
        {
            switch (resource)
            {
                case LoadBalancerPolicy p: Policies.Add(p); break;
                case BackendPool b: Pools.Add(b); break;
                case Service s: Services.Add(s); break;
                case EndpointSlice e: Slices.Add(e); break;
                case Secret s: Secrets.Add(s); break;
                case Namespace n: Namespaces.Add(n); break;
                default: Inputs.Add(resource); break;
            }
        }

        public LoadResult ToResult()
        {
            var secrets = ClusterObjects.Secrets(Secrets, Diagnostics);
            return new()
            {
                Policies = Policies,
                Pools = Pools,
                Inputs = Inputs,
                Services = ClusterObjects.Services(Services, Slices),
                Secrets = secrets,
                NamespaceLabels = Namespaces.ToImmutableDictionary(n => n.Metadata.Name,
                    n => (IReadOnlyDictionary<string, string>)(n.Metadata.Labels ?? []), StringComparer.Ordinal),
                Diagnostics = [.. Diagnostics],
                Marks = Marks,
            };
        }
    }

    private static void Load(string yaml, string file, Accumulator acc)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            // A syntax error stops the parser: the documents before it are lost too, which is why we say so.
            var message = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            acc.Diagnostics.Add(new Diagnostic(null, "", $"invalid YAML, the whole file is skipped: {message}", Loc(file, e.Start)));
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner and node loader fail this way on some malformed input instead of raising a
            // YamlException (found by the property tests): still a syntax error, placed after the last event read.
            var at = parser.Current?.End is { Line: > 0 } end ? end : new Mark(0, 1, 1);
            acc.Diagnostics.Add(new Diagnostic(null, "", "invalid YAML, the whole file is skipped: the parser could not read past this point", Loc(file, at)));
            return;
        }
        foreach (var doc in stream.Documents) LoadDocument(doc, file, acc);
    }

    private static void LoadDocument(YamlDocument doc, string file, Accumulator acc)
    {
        var root = doc.RootNode;
        if (root is YamlScalarNode { Value: null or "" } or YamlScalarNode { Value: "~" or "null" }) return; // empty document
        var docLoc = Loc(file, root.Start);

        var marks = new MarkMap();
        marks.Add("", root.Start, root.Start);
        var yamlErrors = new List<(string Path, Mark Mark, string Message)>();
        var node = YamlToJson.Convert(root, "", marks, yamlErrors);
        if (node is not JsonObject obj)
        {
            acc.Diagnostics.Add(new Diagnostic(null, "", "expected a resource (an object with apiVersion, kind, metadata and spec)", docLoc));
            return;
        }

        var kind = obj["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
        // metadata may be anything here (a string, a list): the shape check below reports it; a key is read only from an object.
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        var ns = metadata?["namespace"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
        var apiVersion = obj["apiVersion"] is JsonValue av && av.GetValueKind() == JsonValueKind.String ? av.GetValue<string>() : null;

        // A GitOps folder mixes our resources with Namespaces, Deployments …: documents of groups Ballast does not
        // read belong to kubectl and are skipped. In a group it reads, what happens to an unknown kind or version
        // depends on the group (an error in ballast.dev, a warning in Gateway API, nothing in the core group).
        var (groupName, version) = apiVersion is null ? (ApiGroup.Group, "") : InputKinds.Split(apiVersion);
        if (InputKinds.Group(groupName) is not { } group) return;
        var inputKind = group.Kinds.FirstOrDefault(x => x.Kind == kind);
        ResourceKey? key = inputKind is not null && !string.IsNullOrEmpty(name)
            ? new ResourceKey(kind!, inputKind.ClusterScoped ? "" : string.IsNullOrEmpty(ns) ? "default" : ns, name) : null;

        var errors = new List<Diagnostic>();
        void Error(string path, string message, bool atKey = false)
        {
            var mark = atKey ? marks.KeyOf(path) : marks.ValueOf(path);
            errors.Add(new Diagnostic(key, path, message, mark is { } m ? Loc(file, m) : docLoc));
        }

        var allowedKinds = string.Join(", ", group.Kinds.Select(x => x.Kind).Distinct());
        if (group.Unknown != UnknownKinds.Error && (inputKind is null || !inputKind.Versions.Contains(version)))
        {
            if (group.Unknown == UnknownKinds.Warn)
                acc.Diagnostics.Add(new Diagnostic(null, inputKind is null ? "kind" : "apiVersion",
                    inputKind is null ? $"Ballast does not read {kind ?? "(no kind)"} of {groupName}; skipped (it reads {allowedKinds})"
                        : $"Ballast does not read {kind} in {apiVersion}; skipped (it reads {string.Join(", ", inputKind.Versions.Select(inputKind.ApiVersion))})",
                    docLoc, Severity.Warning));
            return;
        }
        foreach (var (path, mark, message) in yamlErrors)
            errors.Add(new Diagnostic(key, path, message, Loc(file, mark)));

        Type? type = null;
        if (apiVersion is null) Error("apiVersion", $"required; use \"{inputKind?.PreferredApiVersion ?? ApiGroup.ApiVersion}\"");
        if (kind is null) Error("kind", $"required; one of {allowedKinds}");
        else if (inputKind is null) Error("kind", $"unknown kind \"{kind}\"; allowed: {allowedKinds}");
        else if (apiVersion is not null && !inputKind.Versions.Contains(version))
            Error("apiVersion", $"unknown apiVersion \"{apiVersion}\"; allowed: {string.Join(", ", inputKind.Versions.Select(inputKind.ApiVersion))}");
        else type = inputKind.Type;
        if (string.IsNullOrEmpty(name)) Error(obj["metadata"] is null ? "" : "metadata", "metadata.name is required");

        if (type is not null)
        {
            var shapeErrors = new List<(string Path, string Message, bool AtKey)>();
            ShapeChecker.Check(obj, type, "", nullable: false, shapeErrors);
            foreach (var (path, message, atKey) in shapeErrors) Error(path, message, atKey);
        }

        if (errors.Count > 0)
        {
            acc.Diagnostics.AddRange(errors);
            return;
        }

        try
        {
            var resource = (Resource)obj.Deserialize(type!, ModelJson.Options)!;
            resource.Source = docLoc;
            acc.Marks[docLoc] = marks;
            acc.Add(resource);
        }
        catch (JsonException e)
        {
            // The shape check should have caught it; if not, still point at the field.
            var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            Error(path, e.Message);
            acc.Diagnostics.AddRange(errors);
        }
    }

    private static SourceLocation Loc(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);
}
