namespace Ballast.Model.Resources;

/// <summary>A status condition with the Kubernetes conventions.</summary>
public sealed class Condition
{
    public string Type { get; set; } = "";
    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = ConditionStatus.Unknown;
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
    public long? ObservedGeneration { get; set; }
    public DateTimeOffset? LastTransitionTime { get; set; }
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

public static class ConditionTypes
{
    public const string Accepted = "Accepted";
    public const string ResolvedRefs = "ResolvedRefs";
    public const string Programmed = "Programmed";
    public const string CertificateReady = "CertificateReady";
}
