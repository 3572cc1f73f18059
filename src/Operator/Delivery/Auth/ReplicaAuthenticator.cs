namespace Ballast.Operator.Delivery.Auth;

/// <summary>Why a snapshot request was refused: the <c>reason</c> label of <c>ballast_operator_snapshot_auth_failures_total</c>.</summary>
public static class AuthFailure
{
    /// <summary>No <c>Authorization: Bearer</c> header.</summary>
    public const string Missing = "missing";
    /// <summary>The API server did not authenticate the token (unknown, expired, or bound to another audience).</summary>
    public const string Invalid = "invalid";
    /// <summary>Authenticated, but as someone other than the ingress ServiceAccount.</summary>
    public const string ServiceAccount = "service_account";
    /// <summary>The TokenReview itself failed (API server unreachable or refusing): 503, the replica retries.</summary>
    public const string ReviewError = "review_error";

    public static readonly string[] All = [Missing, Invalid, ServiceAccount, ReviewError];
}

/// <summary>The verdict on one request: null <see cref="Failure"/> means let it in.</summary>
public readonly record struct AuthResult(string? Failure, string Message)
{
    public bool Ok => Failure is null;
    public static AuthResult Allowed(string who) => new(null, who);
    public static AuthResult Refused(string failure, string message) => new(failure, message);
}

/// <summary>Decides whether a request to the snapshot server comes from an ingress replica.</summary>
public interface IReplicaAuthenticator
{
    ValueTask<AuthResult> AuthenticateAsync(string? authorization, CancellationToken ct);

    /// <summary>The bearer token of an <c>Authorization</c> header; null when there is none.</summary>
    static string? BearerToken(string? authorization)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization[prefix.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
