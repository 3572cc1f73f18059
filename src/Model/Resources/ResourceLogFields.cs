using System.Collections;
using Ballast.Model.Compilation;

namespace Ballast.Model.Resources;

/// <summary>
/// The state of a log scope naming the resource a message is about: <c>kind</c>, <c>namespace</c>, <c>name</c>,
/// and for a diagnostic its <c>field</c>, <c>file</c> and <c>line</c>. Both programs pass it to
/// <c>ILogger.BeginScope</c>, so JSON logs carry these as fields to filter on (and text logs show the key).
/// A plain list of pairs: no logging package here.
/// </summary>
public sealed class ResourceLogFields : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _fields = new(6);
    private readonly string _text;

    public ResourceLogFields(ResourceKey? key, Diagnostic? diagnostic = null)
    {
        if (key is { } k)
        {
            _fields.Add(new("kind", k.Kind));
            _fields.Add(new("namespace", k.Namespace));
            _fields.Add(new("name", k.Name));
        }
        if (diagnostic is { FieldPath.Length: > 0 }) _fields.Add(new("field", diagnostic.FieldPath));
        if (diagnostic?.Location is { } at)
        {
            _fields.Add(new("file", at.File));
            _fields.Add(new("line", at.Line));
        }
        _text = key?.ToString() ?? diagnostic?.Location?.ToString() ?? "";
    }

    /// <summary>The fields of a diagnostic: its resource, field and place in the file.</summary>
    public static ResourceLogFields Of(Diagnostic diagnostic) => new(diagnostic.Resource, diagnostic);

    /// <summary>A resource named by its id <c>namespace/name</c> (pools and policies in a snapshot).</summary>
    public static ResourceLogFields Of(string kind, string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return new(slash < 0 ? new ResourceKey(kind, "", id) : new ResourceKey(kind, id[..slash], id[(slash + 1)..]));
    }

    public int Count => _fields.Count;
    public KeyValuePair<string, object?> this[int index] => _fields[index];
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _fields.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => _text;
}
