namespace Ballast.Acme.Issuance;

public sealed record AcmeIssuerOptions
{
    /// <summary>Account contacts (plain addresses or mailto: URIs).</summary>
    public IReadOnlyList<string> ContactEmails { get; init; } = [];

    /// <summary>The policy's acceptance of the CA's terms; RFC 8555 servers refuse accounts without it.</summary>
    public bool TermsOfServiceAgreed { get; init; } = true;

    /// <summary>
    /// Awaited after a token enters the challenge store and before the CA is told to validate it: the caller
    /// makes the token reachable there (recompile and apply the snapshot that carries it), so the CA's first
    /// fetch already finds it. Null: the store is read directly by whoever answers.
    /// </summary>
    public Func<CancellationToken, Task>? PublishChallenges { get; init; }
}
