using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Routing;

/// <summary>
/// The routes of one host group, indexed by path so a lookup does not grow with the table: exact paths in a
/// dictionary, segment prefixes in a dictionary probed only at the request path's segment boundaries (and only
/// at lengths some prefix has), regex and any-path routes in a short list scanned last. The answer is exactly
/// the linear scan's (the first route in table order whose whole match holds), whatever the table order:
/// every candidate list is in table order and a scan stops at the first entry that could not beat the best
/// match found so far, so regex routes placed after an indexed match are never run. Built once per snapshot;
/// a lookup allocates nothing.
/// </summary>
internal sealed class PathIndex<T> where T : class
{
    private readonly Dictionary<string, Entry[]> _exact;
    private readonly Dictionary<string, Entry[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, Entry[]> _prefix;
    private readonly Dictionary<string, Entry[]>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;
    /// <summary>_prefixLengths[k]: some prefix is k characters long (skips hash probes that cannot hit).</summary>
    private readonly bool[] _prefixLengths;
    private readonly Entry[] _scanned;

    public PathIndex(IEnumerable<(int Order, RequestMatcher Matcher, T Value)> routes)
    {
        var exact = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        var prefix = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        var scanned = new List<Entry>();
        foreach (var (order, matcher, value) in routes)
        {
            var entry = new Entry(order, matcher, value);
            var map = matcher.PathKind switch { PathMatchKind.Exact => exact, PathMatchKind.Prefix => prefix, _ => null };
            if (map is null)
            {
                scanned.Add(entry);
                continue;
            }
            if (!map.TryGetValue(matcher.Path, out var list)) map[matcher.Path] = list = [];
            list.Add(entry);
        }
        _exact = exact.ToDictionary(kv => kv.Key, kv => InOrder(kv.Value), StringComparer.Ordinal);
        _prefix = prefix.ToDictionary(kv => kv.Key, kv => InOrder(kv.Value), StringComparer.Ordinal);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLookup = _prefix.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLengths = new bool[_prefix.Count == 0 ? 0 : _prefix.Keys.Max(k => k.Length) + 1];
        foreach (var key in _prefix.Keys) _prefixLengths[key.Length] = true;
        _scanned = InOrder(scanned);
        _all = [.. _exact.Values.SelectMany(e => e).Concat(_prefix.Values.SelectMany(e => e)).Concat(_scanned).OrderBy(e => e.Order).Select(e => e.Value)];
    }

    /// <summary>Every route of the group in table order: the order <see cref="Match"/> honours (for explain, never per request).</summary>
    public IReadOnlyList<T> InTableOrder => _all;

    private readonly T[] _all;

    public T? Match(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var best = int.MaxValue;
        T? winner = null;
        if (_exact.Count > 0 && _exactLookup.TryGetValue(path, out var exact)) Scan(exact, request, pathChecked: true, ref best, ref winner);
        if (_prefixLengths.Length > 0)
        {
            // A prefix of length k matches when it equals path[..k] and ends a segment: k is the whole path,
            // the prefix ends in '/', or the path continues with '/'.
            var longest = Math.Min(path.Length, _prefixLengths.Length - 1);
            for (var k = 1; k <= longest; k++)
            {
                if (!_prefixLengths[k] || !(k == path.Length || path[k - 1] == '/' || path[k] == '/')) continue;
                if (_prefixLookup.TryGetValue(path.AsSpan(0, k), out var prefixed)) Scan(prefixed, request, pathChecked: true, ref best, ref winner);
            }
        }
        Scan(_scanned, request, pathChecked: false, ref best, ref winner);
        return winner;
    }

    private static void Scan(Entry[] entries, HttpRequest request, bool pathChecked, ref int best, ref T? winner)
    {
        foreach (var entry in entries)
        {
            if (entry.Order >= best) return; // in table order: nothing further in this list can win
            if (pathChecked ? entry.Matcher.MatchesBeyondPath(request) : entry.Matcher.Matches(request))
            {
                best = entry.Order;
                winner = entry.Value;
                return;
            }
        }
    }

    private static Entry[] InOrder(List<Entry> entries) => [.. entries.OrderBy(e => e.Order)];

    private readonly record struct Entry(int Order, RequestMatcher Matcher, T Value);
}
