namespace Ballast.Ingress.Routing;

/// <summary>
/// Reads one parameter of a raw query string the way route matching needs it: the name compared exactly (case
/// matters, as Gateway API and docs/routing.md say; ASP.NET Core's <c>Request.Query</c> ignores case), and only the
/// <b>first</b> occurrence counts when a name repeats (the spec's recommendation: <c>?a=1&amp;a=2</c> has a=1).
/// Names and values are form-decoded (<c>+</c> is a space, <c>%XX</c> a byte of UTF-8) as ASP.NET Core decodes
/// them. Nothing is allocated unless a name or the found value is percent- or plus-encoded.
/// </summary>
public static class QueryParameters
{
    /// <summary>The first value of <paramref name="name"/> in <paramref name="query"/> (with or without its leading '?').</summary>
    /// <returns>False when the parameter is absent; a name without '=' has the value "".</returns>
    public static bool TryGetFirst(ReadOnlySpan<char> query, string name, out ReadOnlySpan<char> value)
    {
        if (!query.IsEmpty && query[0] == '?') query = query[1..];
        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? [] : query[(end + 1)..];
            if (pair.IsEmpty) continue;
            var equals = pair.IndexOf('=');
            var rawName = equals < 0 ? pair : pair[..equals];
            if (!NameEquals(rawName, name)) continue;
            var rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            value = NeedsDecoding(rawValue) ? Decode(rawValue) : rawValue;
            return true;
        }
        value = default;
        return false;
    }

    private static bool NameEquals(ReadOnlySpan<char> raw, string name) =>
        NeedsDecoding(raw) ? Decode(raw).SequenceEqual(name) : raw.SequenceEqual(name);

    private static bool NeedsDecoding(ReadOnlySpan<char> raw) => raw.IndexOfAny('%', '+') >= 0;

    private static string Decode(ReadOnlySpan<char> raw) => Uri.UnescapeDataString(raw.ToString().Replace('+', ' '));
}
