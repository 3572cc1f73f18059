using System.Collections;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Logging;

/// <summary>
/// A log scope naming the resource a message is about (<c>kind</c>, <c>namespace</c>, <c>name</c>, and for a
/// diagnostic its <c>field</c>, <c>file</c> and <c>line</c>), so JSON logs carry them as fields to filter on.
/// </summary>
public sealed class ResourceLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _fields = new(6);
    private readonly string _text;

    private ResourceLogScope(ResourceKey? key, Diagnostic? diagnostic)
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

    /// <summary>The scope of a diagnostic: its resource, field and place in the file (null when it names none).</summary>
    public static IDisposable? Begin(ILogger logger, Diagnostic diagnostic)
    {
        var scope = new ResourceLogScope(diagnostic.Resource, diagnostic);
        return scope.Count == 0 ? null : logger.BeginScope(scope);
    }

    public static IDisposable? Begin(ILogger logger, ResourceKey key) => logger.BeginScope(new ResourceLogScope(key, null));

    public int Count => _fields.Count;
    public KeyValuePair<string, object?> this[int index] => _fields[index];
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _fields.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => _text;
}
