using System.Globalization;

namespace Ballast.Ingress.Tests.Support;

/// <summary>Reads one sample from Prometheus text format: the line whose series starts with the given text.</summary>
public static class PrometheusText
{
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
}
