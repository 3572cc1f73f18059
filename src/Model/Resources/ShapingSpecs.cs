namespace Ballast.Model.Resources;

/// <summary>
/// How a route changes the request before the backend sees it: the Host header, and the path, either by
/// replacing it whole, replacing the prefix the route matched, or by a regular expression. At most one of path,
/// pathPrefix, pathRegex.
/// </summary>
public sealed class RewriteSpec
{
    /// <summary>The Host header sent to the backend (X-Forwarded-Host keeps the client's).</summary>
    public string? Host { get; set; }
    /// <summary>Replaces the whole path (the query stays): every request of the route reaches the backend on this path.</summary>
    public string? Path { get; set; }
    /// <summary>Replaces the route's match.pathPrefix (which must be set): /api/v1/x with prefix /api/v1 and pathPrefix /v1 becomes /v1/x.</summary>
    public string? PathPrefix { get; set; }
    /// <summary>A regular expression replacement on the path (linear-time regex, compiled once).</summary>
    public RegexRewriteSpec? PathRegex { get; set; }
}

/// <summary>Every match of pattern in the path is replaced by substitution ($1, ${name} refer to groups).</summary>
public sealed class RegexRewriteSpec
{
    /// <summary>The regular expression searched for in the path.</summary>
    public string Pattern { get; set; } = "";
    /// <summary>What each match is replaced by.</summary>
    public string Substitution { get; set; } = "";
}

/// <summary>
/// Answer the request with a redirect instead of forwarding it (the route then has no backends). Unset parts
/// keep the request's: scheme, host, path and query. At most one of path, pathPrefix.
/// </summary>
public sealed class RedirectSpec
{
    /// <summary>http or https.</summary>
    public string? Scheme { get; set; }
    /// <summary>The host name to redirect to; the request's when absent.</summary>
    public string? Host { get; set; }
    /// <summary>When absent: the scheme's well-known port (80, 443) if scheme is set, otherwise the listener's port.</summary>
    public int? Port { get; set; }
    /// <summary>Replaces the whole path.</summary>
    public string? Path { get; set; }
    /// <summary>Replaces the route's match.pathPrefix (which must be set), keeping the rest of the path.</summary>
    public string? PathPrefix { get; set; }
    /// <summary>301, 302 (default), 303, 307 or 308.</summary>
    public int? StatusCode { get; set; }
}
