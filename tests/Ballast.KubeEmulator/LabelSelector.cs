using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>
/// The label selector language of list and watch (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x)</c>, <c>a</c>, <c>!a</c>), comma-separated requirements that must all hold.
/// </summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static readonly LabelSelector Everything = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text)) return selector;
        foreach (var raw in SplitTopLevel(text))
        {
            var req = raw.Trim();
            if (req.Length == 0) continue;
            selector._requirements.Add(ParseRequirement(req));
        }
        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        if (_requirements.Count == 0) return true;
        var labels = new Dictionary<string, string>();
        if (obj["metadata"]?["labels"] is JsonObject l)
            foreach (var (k, v) in l) labels[k] = v?.GetValue<string>() ?? "";
        return _requirements.All(r => r(labels));
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string req)
    {
        var lower = req.ToLowerInvariant();
        var notIn = lower.IndexOf(" notin ", StringComparison.Ordinal);
        if (notIn > 0)
        {
            var key = req[..notIn].Trim();
            var set = ParseSet(req[(notIn + 7)..]);
            return l => !l.TryGetValue(key, out var v) || !set.Contains(v);
        }
        var inIdx = lower.IndexOf(" in ", StringComparison.Ordinal);
        if (inIdx > 0)
        {
            var key = req[..inIdx].Trim();
            var set = ParseSet(req[(inIdx + 4)..]);
            return l => l.TryGetValue(key, out var v) && set.Contains(v);
        }
        var ne = req.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0)
        {
            var key = req[..ne].Trim();
            var value = req[(ne + 2)..].Trim();
            return l => !l.TryGetValue(key, out var v) || v != value;
        }
        var eq = req.IndexOf('=');
        if (eq > 0)
        {
            var key = req[..eq].Trim();
            var value = req[(eq + 1)..].TrimStart('=').Trim();
            return l => l.TryGetValue(key, out var v) && v == value;
        }
        if (req.StartsWith('!'))
        {
            var key = req[1..].Trim();
            return l => !l.ContainsKey(key);
        }
        return l => l.ContainsKey(req);
    }

    private static HashSet<string> ParseSet(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith('(') || !t.EndsWith(')')) throw new FormatException($"invalid label selector set \"{text}\": expected (a,b)");
        return t[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }
}
