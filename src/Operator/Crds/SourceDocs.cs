using System.Text.RegularExpressions;

namespace Ballast.Operator.Crds;

/// <summary>
/// The XML doc comments of the resource types, read from their C# sources, so CRD field descriptions come from
/// one place (the code) and cannot drift. Reading source rather than a compiled .xml keeps the Model project free
/// of documentation-file warnings; the generator is a development tool that runs in the repository.
/// </summary>
public sealed partial class SourceDocs
{
    private readonly Dictionary<string, string> _docs = [];

    public static SourceDocs Empty { get; } = new();

    public static SourceDocs FromFolder(string folder)
    {
        var docs = new SourceDocs();
        foreach (var file in Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal))
            docs.Read(File.ReadAllLines(file));
        return docs;
    }

    /// <summary>The summary of a type (<c>"BackendPoolSpec"</c>) or of a property (<c>"BackendPoolSpec.Service"</c>).</summary>
    public string? Of(string key) => _docs.GetValueOrDefault(key);

    private void Read(string[] lines)
    {
        var pending = new List<string>();
        string? type = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("///", StringComparison.Ordinal)) { pending.Add(line[3..].Trim()); continue; }
            if (line.StartsWith('[')) continue; // attributes sit between a comment and its member
            var typeMatch = TypeDeclaration().Match(line);
            if (typeMatch.Success)
            {
                type = typeMatch.Groups[1].Value;
                Store(type, pending);
            }
            else if (type is not null && PropertyDeclaration().Match(line) is { Success: true } prop)
            {
                Store($"{type}.{prop.Groups[1].Value}", pending);
            }
            pending.Clear();
        }
    }

    private void Store(string key, List<string> comment)
    {
        if (comment.Count == 0) return;
        var text = string.Join(' ', comment);
        var summary = Summary().Match(text);
        if (summary.Success) text = summary.Groups[1].Value;
        else if (text.Contains("<param", StringComparison.Ordinal)) return;
        text = SeeCref().Replace(text, m => Lower(m.Groups[1].Value.Split('.')[^1]));
        text = Tag().Replace(text, "");
        text = Whitespace().Replace(text, " ").Trim();
        if (text.Length > 0) _docs[key] = text;
    }

    private static string Lower(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    [GeneratedRegex(@"\b(?:class|enum|record|struct)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^public\s+[\w<>?,\s\[\]]+?\s(\w+)\s*\{\s*get;")]
    private static partial Regex PropertyDeclaration();

    [GeneratedRegex(@"<summary>(.*?)</summary>")]
    private static partial Regex Summary();

    [GeneratedRegex(@"<see cref=""([^""]+)""\s*/>")]
    private static partial Regex SeeCref();

    [GeneratedRegex(@"</?[a-z]+[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
