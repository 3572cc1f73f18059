namespace Ballast.Acme.Certificates;

/// <summary>
/// What the operator writes as the policy's <c>CertificateReady</c> condition (and the expiry metric):
/// Ready while a certificate for the hostnames is held and unexpired; Message says why not, or that the
/// last renewal attempt failed while the current certificate still serves.
/// </summary>
public sealed record ManagedCertificateStatus(
    bool Ready,
    DateTimeOffset? NotAfter,
    DateTimeOffset? RenewAt,
    string? SerialNumber,
    string Message,
    int ConsecutiveFailures,
    DateTimeOffset? NextAttemptAt)
{
    public static ManagedCertificateStatus Initial { get; } = new(false, null, null, null, "No certificate obtained yet.", 0, null);
}
