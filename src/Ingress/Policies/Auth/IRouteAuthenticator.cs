namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// One kind of route authentication (JWT, API key, basic, external). When it refuses, it has written the
/// response itself (401 with its challenge, or the auth service's answer) and the request is never forwarded.
/// </summary>
public interface IRouteAuthenticator
{
    /// <summary>The <c>kind</c> label of <c>ballast_auth_failures_total</c>.</summary>
    string Kind { get; }

    /// <summary>The compiled settings; an equal one on reload keeps this instance (and its caches).</summary>
    object Config { get; }

    ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context);
}
