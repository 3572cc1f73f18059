namespace Ballast.Ingress.Health;

/// <summary>One probe's verdict and, for logs, why (e.g. <c>HTTP 503</c>, <c>connection refused</c>, <c>timeout after 1s</c>).</summary>
public readonly record struct ProbeResult(bool Passed, string Detail)
{
    public static ProbeResult Pass(string detail) => new(true, detail);

    public static ProbeResult Fail(string detail) => new(false, detail);
}
