namespace Ballast.Model.Resources;

/// <summary>A status condition with the Kubernetes conventions.</summary>
public sealed class Condition
{
    /// <summary>The condition's type: Accepted, ResolvedRefs, Programmed or CertificateReady.</summary>
    public string Type { get; set; } = "";
    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = ConditionStatus.Unknown;
    /// <summary>A CamelCase word that says why, e.g. Accepted, Invalid, PoolNotFound, Pending.</summary>
    public string Reason { get; set; } = "";
    /// <summary>Details for people, naming the field at fault; may be empty.</summary>
    public string Message { get; set; } = "";
    /// <summary>The generation of the spec the condition was set for.</summary>
    public long? ObservedGeneration { get; set; }
    /// <summary>When status last changed.</summary>
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
