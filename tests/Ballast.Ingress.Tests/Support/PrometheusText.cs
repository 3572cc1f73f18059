namespace Ballast.Ingress.Tests.Support;

/// <summary>Reads one sample from Prometheus text format (shared with the other test projects: <see cref="Ballast.Testing.PrometheusScrape"/>).</summary>
public static class PrometheusText
{
    /// <param name="series">e.g. <c>ballast_reload_failures_total</c> or <c>ballast_no_endpoint_total{pool="p"}</c>.</param>
    public static double? Value(string text, string series) => Ballast.Testing.PrometheusScrape.Value(text, series);
}
