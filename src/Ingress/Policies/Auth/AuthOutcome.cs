namespace Ballast.Ingress.Policies.Auth;

/// <summary>What an authentication check decided; every value but <see cref="Passed"/> refuses the request.</summary>
public enum AuthOutcome
{
    Passed,
    /// <summary>No credential, or not in the expected form.</summary>
    Missing,
    /// <summary>A credential that does not check out (bad signature, expired, wrong audience, unknown key …).</summary>
    Invalid,
    /// <summary>What the check needs (a key set, an auth service) could not be reached: deny by default.</summary>
    Unavailable,
    /// <summary>The external auth service answered, and not with a 2xx.</summary>
    Denied,
}

/// <summary>The <c>reason</c> label of <c>ballast_auth_failures_total</c>.</summary>
public static class AuthOutcomeLabels
{
    public static string Of(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.Missing => "missing",
        AuthOutcome.Invalid => "invalid",
        AuthOutcome.Unavailable => "unavailable",
        AuthOutcome.Denied => "denied",
        _ => "passed",
    };
}
