namespace Ballast.Model.Resources;

/// <summary>
/// API keys in a request header, checked against keys held in a Secret (operator: each data entry is
/// <c>name: key</c>) or a file (standalone: lines <c>name:key</c>, <c>#</c> comments). Exactly one source.
/// </summary>
public sealed class ApiKeyAuthSpec
{
    /// <summary>The header that carries the key; <c>X-Api-Key</c> when absent.</summary>
    public string? Header { get; set; }
    /// <summary>A Secret in the policy's namespace holding the keys (operator).</summary>
    public string? SecretRef { get; set; }
    /// <summary>A file holding the keys (standalone mode).</summary>
    public string? KeysFile { get; set; }
    /// <summary>A request header that tells the backend the matched key's name (a client's own copy is dropped).</summary>
    public string? ForwardKeyName { get; set; }
    /// <summary>Remove the key's header before the backend.</summary>
    public bool? StripCredential { get; set; }
}

/// <summary>
/// HTTP basic auth against bcrypt hashes in htpasswd format (<c>htpasswd -nB user</c>): a Secret (its entry
/// <c>auth</c>, or its only entry) or a file. Exactly one source.
/// </summary>
public sealed class BasicAuthSpec
{
    /// <summary>The realm named in <c>WWW-Authenticate</c>; <c>ballast</c> when absent.</summary>
    public string? Realm { get; set; }
    /// <summary>A Secret in the policy's namespace holding the htpasswd lines (operator).</summary>
    public string? SecretRef { get; set; }
    /// <summary>An htpasswd file (standalone mode).</summary>
    public string? UsersFile { get; set; }
    /// <summary>A request header that tells the backend the user name (a client's own copy is dropped).</summary>
    public string? ForwardUser { get; set; }
    /// <summary>Remove the Authorization header before the backend.</summary>
    public bool? StripCredential { get; set; }
}

/// <summary>
/// External authorization: the request's headers go to <c>url</c> (GET, with <c>X-Forwarded-Method</c>,
/// <c>X-Forwarded-Uri</c>, <c>X-Forwarded-Host</c>); a 2xx answer admits the request and copies the named
/// response headers onto it, any other answer is passed to the client with its status. No answer within the
/// timeout: 503 (deny), or admit when <c>failOpen</c>.
/// </summary>
public sealed class ExternalAuthSpec
{
    /// <summary>The auth service's URL (http or https).</summary>
    public string Url { get; set; } = "";
    /// <summary>How long the auth service may take; 2s when absent, at most 30s.</summary>
    public Duration? Timeout { get; set; }
    /// <summary>Request headers sent to the auth service; all of them when absent.</summary>
    public List<string>? ForwardHeaders { get; set; }
    /// <summary>Headers of the auth service's 2xx answer copied onto the upstream request (a client's own copies are dropped).</summary>
    public List<string>? ResponseHeaders { get; set; }
    /// <summary>Admit requests while the auth service cannot be reached (default false: deny with 503).</summary>
    public bool? FailOpen { get; set; }
}
