using System.Globalization;

namespace Ballast.Testing;

/// <summary>Reads Prometheus text format (a scrape of <c>/metrics</c>) for assertions.</summary>
public static class PrometheusScrape
{
    /// <summary>The value of the first sample whose series is exactly <paramref name="series"/>.</summary>
    /// <param name="series">e.g. <c>ballast_reload_failures_total</c> or <c>ballast_no_endpoint_total{pool="p"}</c>.</param>
    public static double? Value(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(series, StringComparison.Ordinal)) continue;
            var rest = line[series.Length..];
            if (rest.Length == 0 || rest[0] != ' ') continue;
            return double.Parse(rest.Trim(), CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>The metric names that have at least one sample (HELP/TYPE lines alone do not count).</summary>
    public static IReadOnlySet<string> SampleNames(string text) =>
        text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);
}
