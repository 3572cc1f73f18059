namespace Ballast.Acme.Issuance;

/// <summary>Obtains a certificate for hostnames (the ACME order flow); what the manager schedules.</summary>
public interface ICertificateIssuer
{
    Task<IssuedCertificate> IssueAsync(IReadOnlyList<string> hostnames, CancellationToken ct);
}
