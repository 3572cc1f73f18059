using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.Http;

/// <summary>
/// The values of one cookie in the request's Cookie header lines (<c>a=1; b="2"</c>), in order, surrounding quotes
/// removed, scanned in place: Request.Cookies would parse every cookie into a dictionary on first use, and the
/// hot path (hash keys, affinity) needs one name without allocating. Names compare ordinally.
/// <code>foreach (var value in new CookieValues(request.Headers.Cookie, "session")) …</code>
/// </summary>
public ref struct CookieValues
{
    private readonly StringValues _lines;
    private readonly string _name;
    private int _line;
    private ReadOnlySpan<char> _rest;

    public CookieValues(StringValues lines, string name)
    {
        _lines = lines;
        _name = name;
        _line = -1;
    }

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly CookieValues GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            while (_rest.IsEmpty)
            {
                if (++_line >= _lines.Count) return false;
                _rest = (_lines[_line] ?? "").AsSpan();
            }
            var end = _rest.IndexOf(';');
            var pair = (end < 0 ? _rest : _rest[..end]).Trim();
            _rest = end < 0 ? [] : _rest[(end + 1)..];
            if (pair.Length > _name.Length && pair[_name.Length] == '=' && pair.StartsWith(_name, StringComparison.Ordinal))
            {
                Current = pair[(_name.Length + 1)..].Trim('"');
                return true;
            }
        }
    }
}
