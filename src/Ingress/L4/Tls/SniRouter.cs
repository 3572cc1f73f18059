using System.Collections.Frozen;

namespace Ballast.Ingress.L4.Tls;

/// <summary>
/// Maps a TLS server name to a target: exact names first, then the most specific <c>*.</c> wildcard (which
/// covers one or more labels, as in the HTTP routes), then the default route if one exists. Built once per
/// snapshot; lookups are lock-free and allocation-free (span keys via the frozen dictionaries' alternate lookup).
/// </summary>
public sealed class SniRouter<T> where T : class
{
    private readonly FrozenDictionary<string, T> _exact;
    private readonly FrozenDictionary<string, T> _wildcardSuffix;
    private readonly FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    /// <param name="routes">Host name (lower-case; <c>*.suffix</c> for a wildcard) → target. The first route naming a host wins.</param>
    /// <param name="defaultTarget">For a ClientHello without SNI or with an unmatched name; null: drop those.</param>
    public SniRouter(IEnumerable<KeyValuePair<string, T>> routes, T? defaultTarget)
    {
        var exact = new Dictionary<string, T>(StringComparer.Ordinal);
        var wildcard = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (host, target) in routes)
        {
            var name = host.Trim().TrimEnd('.').ToLowerInvariant();
            if (name.Length == 0) throw new ArgumentException("an SNI route has an empty host name", nameof(routes));
            if (name.StartsWith("*.", StringComparison.Ordinal)) wildcard.TryAdd(name[2..], target);
            else exact.TryAdd(name, target);
        }
        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _wildcardSuffix = wildcard.ToFrozenDictionary(StringComparer.Ordinal);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcardSuffix.GetAlternateLookup<ReadOnlySpan<char>>();
        Default = defaultTarget;
    }

    public T? Default { get; }

    /// <summary>The target for a lower-case ASCII host name as <see cref="ClientHelloParser"/> returns it (empty: no SNI).</summary>
    public T? Route(ReadOnlySpan<byte> hostName)
    {
        if (hostName.IsEmpty) return Default;
        Span<char> chars = stackalloc char[hostName.Length];
        for (var i = 0; i < hostName.Length; i++) chars[i] = (char)hostName[i];
        return Route(chars);
    }

    public T? Route(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty) return Default;
        if (_exactLookup.TryGetValue(host, out var target)) return target;
        if (_wildcardSuffix.Count > 0)
        {
            // "a.b.example.com": try "b.example.com", then "example.com" … the longest suffix is the most specific.
            var rest = host;
            while (true)
            {
                var dot = rest.IndexOf('.');
                if (dot < 0) break;
                rest = rest[(dot + 1)..];
                if (rest.IsEmpty) break;
                if (_wildcardLookup.TryGetValue(rest, out target)) return target;
            }
        }
        return Default;
    }
}
