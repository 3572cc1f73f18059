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
    /// <summary>Documents of Kubernetes kinds Ballast does not read (a Deployment, a ConfigMap …): skipped, listed by <c>validate</c>.</summary>
    public ImmutableArray<IgnoredDocument> Ignored { get; init; } = [];
    /// <summary>Resources left out for errors of their own; the Compiler says "refers to invalid …" for references to them.</summary>
    public ImmutableHashSet<ResourceKey> Invalid { get; init; } = [];
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
        InvalidResources = Invalid,
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

/// <summary>One file (or standard input) to load: its name in messages, and how to read it.</summary>
public sealed record ManifestSource(string Name, Func<string> Read);

/// <summary>A skipped document of a kind Ballast does not read.</summary>
public sealed record IgnoredDocument(string Kind, string ApiVersion, SourceLocation Location);

/// <summary>
/// Reads CR-shaped YAML (the same documents <c>kubectl apply</c> takes) into typed resources.
/// A resource with any problem is left out and every problem names file, line, column and field.
/// </summary>
public static class ResourceLoader
{
    /// <summary>Manifest files: YAML, and JSON (a JSON document is YAML too).</summary>
    public static bool IsManifest(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The manifest files below <paramref name="dir"/>, relative to it with '/' separators, in path order.</summary>
    public static IReadOnlyList<string> ManifestFiles(string dir) =>
        [.. Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
            .Where(IsManifest)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> below <paramref name="dir"/>, in path order; paths in messages are relative to it.</summary>
    public static LoadResult LoadDirectory(string dir) =>
        LoadSources(ManifestFiles(dir).Select(rel => new ManifestSource(rel, () => File.ReadAllText(Path.Combine(dir, rel)))));

    public static LoadResult LoadText(string yaml, string fileName) => LoadSources([new ManifestSource(fileName, () => yaml)]);

    /// <summary>Several sources (files, folders' files, standard input) into one result, in the given order.</summary>
    public static LoadResult LoadSources(IEnumerable<ManifestSource> sources)
    {
        var acc = new Accumulator();
        foreach (var source in sources)
        {
            string text;
            try { text = source.Read(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                acc.Diagnostics.Add(new Diagnostic(null, "", $"cannot read file: {e.Message}", new SourceLocation(source.Name, 1, 1)));
                continue;
            }
            Load(text, source.Name, acc);
        }
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
        public readonly List<IgnoredDocument> Ignored = [];
        public readonly HashSet<ResourceKey> Invalid = [];
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
                Ignored = [.. Ignored],
                Invalid = [.. Invalid],
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
            // A tab in indentation is the usual cause, and the parser reports it where it gave up, not where the tab is.
            if (TabInIndentation(yaml) is { } tab)
            {
                acc.Diagnostics.Add(new Diagnostic(null, "", "a tab in indentation (YAML indents with spaces only); the whole file is skipped", tab));
                return;
            }
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

        SourceLocation? TabInIndentation(string text)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
                var tab = lines[i].IndexOf('\t', 0, indent);
                // A line of only whitespace is not indentation of anything.
                if (tab >= 0 && lines[i].Trim().Length > 0) return new SourceLocation(file, i + 1, tab + 1);
            }
            return null;
        }
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
        if (InputKinds.Group(groupName) is not { } group)
        {
            if (IsKubernetesGroup(groupName)) acc.Ignored.Add(new IgnoredDocument(kind ?? "(no kind)", apiVersion!, docLoc));
            else
            {
                var at = marks.ValueOf("apiVersion") is { } m ? Loc(file, m) : docLoc;
                acc.Diagnostics.Add(new Diagnostic(null, "apiVersion",
                    $"\"{apiVersion}\" is not an API group Ballast reads; {kind ?? "the document"}{(name is null ? "" : $" {name}")} is skipped (Ballast reads {string.Join(", ", InputKinds.All.Select(g => g.Group == "" ? "v1 (core)" : g.Group))})",
                    at, Severity.Warning));
            }
            return;
        }
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
            if (group.Unknown == UnknownKinds.Skip) acc.Ignored.Add(new IgnoredDocument(kind ?? "(no kind)", apiVersion ?? "", docLoc));
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
            if (key is { } invalid) acc.Invalid.Add(invalid);
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
            if (key is { } invalid) acc.Invalid.Add(invalid);
        }
    }

    /// <summary>
    /// Kubernetes' own API groups (core, <c>apps</c>, <c>batch</c>, <c>*.k8s.io</c> …): their kinds are listed as ignored.
    /// Any other group (a CRD of another project, a misspelt <c>ballast.dev</c>) is skipped with a warning.
    /// </summary>
    public static bool IsKubernetesGroup(string group) => !group.Contains('.', StringComparison.Ordinal) || group.EndsWith(".k8s.io", StringComparison.Ordinal);

    private static SourceLocation Loc(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);
}
