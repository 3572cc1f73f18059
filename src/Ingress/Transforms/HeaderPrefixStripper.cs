namespace Ballast.Ingress.Transforms;

/// <summary>
/// Removes a listener's internal headers (names starting with a configured prefix, case-insensitively) from
/// client requests before routing, so a client can neither spoof them to a backend nor steer route matches
/// with them. Headers Ballast itself adds later (JWT claims, route header rules) are not touched.
/// </summary>
public sealed class HeaderPrefixStripper
{
    private readonly string[] _prefixes;

    private HeaderPrefixStripper(string[] prefixes) => _prefixes = prefixes;

    public static HeaderPrefixStripper? Create(IReadOnlyList<string> prefixes) =>
        prefixes.Count == 0 ? null : new HeaderPrefixStripper([.. prefixes]);

    /// <summary>Removes the matching headers; returns how many names were removed.</summary>
    public int Strip(IHeaderDictionary headers)
    {
        // Collected first: the dictionary cannot change while it is enumerated. Nothing is allocated for the
        // list unless a client actually sent such a header.
        List<string>? doomed = null;
        foreach (var header in headers)
        {
            if (IsInternal(header.Key)) (doomed ??= []).Add(header.Key);
        }
        if (doomed is null) return 0;
        foreach (var name in doomed) headers.Remove(name);
        return doomed.Count;
    }

    private bool IsInternal(string name)
    {
        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
