namespace Ballast.Acme.Issuance;

public sealed record AcmeIssuerOptions
{
    /// <summary>Account contacts (plain addresses or mailto: URIs).</summary>
    public IReadOnlyList<string> ContactEmails { get; init; } = [];

    /// <summary>The policy's acceptance of the CA's terms; RFC 8555 servers refuse accounts without it.</summary>
    public bool TermsOfServiceAgreed { get; init; } = true;
}
