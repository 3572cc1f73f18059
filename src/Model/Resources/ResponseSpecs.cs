namespace Ballast.Model.Resources;

/// <summary>
/// Cross-origin resource sharing answered by the proxy: a preflight (<c>OPTIONS</c> with <c>Origin</c> and
/// <c>Access-Control-Request-Method</c>) gets 204 with the allowed methods and headers and never reaches a
/// backend; other responses to an allowed origin carry <c>Access-Control-Allow-Origin</c> (and the credential
/// and expose headers). An origin not on the list gets no CORS headers, so the browser refuses it.
/// </summary>
public sealed class CorsSpec
{
    /// <summary>Exact origins (<c>https://app.example.com</c>), one-label wildcards (<c>https://*.example.com</c>) or <c>*</c>.</summary>
    public List<string>? AllowOrigins { get; set; }
    /// <summary>GET, HEAD, POST when absent.</summary>
    public List<string>? AllowMethods { get; set; }
    /// <summary>Request headers a preflight allows; when absent, the headers the browser asked for.</summary>
    public List<string>? AllowHeaders { get; set; }
    /// <summary>Response headers the browser may show to the page (Access-Control-Expose-Headers).</summary>
    public List<string>? ExposeHeaders { get; set; }
    /// <summary>Answer with <c>Access-Control-Allow-Credentials: true</c> (never together with the origin <c>*</c>: the origin is echoed then).</summary>
    public bool? AllowCredentials { get; set; }
    /// <summary>How long a browser may cache the preflight answer.</summary>
    public Duration? MaxAge { get; set; }
}

/// <summary>
/// Custom error responses: when the backend (or the proxy itself, for a route whose pool has no endpoint)
/// answers with one of <see cref="Statuses"/>, the response is replaced by a GET <c>/</c> to
/// <see cref="Pool"/>, which renders the page. It receives <c>X-Code</c> (the status), <c>X-Format</c> (the
/// client's Accept), <c>X-Original-URI</c> and <c>X-Request-ID</c>, as ingress-nginx's error backends expect.
/// </summary>
public sealed class ErrorResponsesSpec
{
    /// <summary>The statuses replaced (400-599).</summary>
    public List<int> Statuses { get; set; } = [];
    /// <summary>The BackendPool, in the policy's namespace, that renders the pages.</summary>
    public string Pool { get; set; } = "";
}
