namespace Ballast.Model.Resources;

/// <summary>
/// Every <c>reason</c> a Ballast condition carries, in one place: the Compiler's (Accepted, ResolvedRefs) and the
/// operator's (Programmed, CertificateReady). Users match on them (alerts, Argo CD health, <c>kubectl wait</c>), so a
/// reason is part of the API: rename none.
/// </summary>
public static class ConditionReasons
{
    // Accepted
    public const string Accepted = "Accepted";
    public const string Invalid = "Invalid";
    public const string Conflicted = "Conflicted";

    // ResolvedRefs
    public const string ResolvedRefs = "ResolvedRefs";
    public const string SecretNotFound = "SecretNotFound";
    public const string InvalidCertificate = "InvalidCertificate";
    public const string ServiceNotFound = "ServiceNotFound";
    public const string ServicePortNotFound = "ServicePortNotFound";
    public const string PoolNotFound = "PoolNotFound";
    public const string PoolInvalid = "PoolInvalid";
    public const string PoolProtocolMismatch = "PoolProtocolMismatch";
    /// <summary>A LoadBalancerPolicy's targetRef names a Gateway API object that does not exist (or is not Ballast's).</summary>
    public const string TargetNotFound = "TargetNotFound";

    // Programmed
    public const string Programmed = "Programmed";
    public const string NotAccepted = "NotAccepted";
    public const string NoReplicas = "NoReplicas";
    public const string Pending = "Pending";

    // CertificateReady
    public const string Issued = "Issued";
    public const string Failed = "Failed";
}
