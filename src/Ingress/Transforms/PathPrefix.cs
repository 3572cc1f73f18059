namespace Ballast.Ingress.Transforms;

/// <summary>
/// Replaces the prefix a route matched (segment-wise, see RequestMatcher) with another, keeping the rest:
/// <c>/api/v1/x</c> with prefix <c>/api/v1</c> and replacement <c>/v1</c> becomes <c>/v1/x</c>. Shared by
/// rewrites and redirects.
/// </summary>
public sealed class PathPrefix
{
    private readonly string _matched;
    private readonly string _replacement;
    /// <summary>The replacement without its trailing slashes, so joining with the rest gives exactly one "/".</summary>
    private readonly string _head;

    public PathPrefix(string matched, string replacement)
    {
        _matched = matched;
        _replacement = replacement;
        _head = replacement.TrimEnd('/');
    }

    /// <summary>The path with its matched prefix replaced (unchanged when it does not start with the prefix).</summary>
    public string Apply(string path)
    {
        if (!path.StartsWith(_matched, StringComparison.Ordinal)) return path;
        var rest = path.AsSpan(_matched.Length);
        if (rest.IsEmpty) return _replacement.Length == 0 ? "/" : _replacement;
        var joined = rest[0] == '/' ? string.Concat(_head, rest) : string.Concat(_head, "/", rest);
        return joined.Length == 0 ? "/" : joined;
    }
}
