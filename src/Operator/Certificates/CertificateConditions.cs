using Ballast.Acme.Listeners;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Operator.Certificates;

/// <summary>
/// The policy's <c>CertificateReady</c> condition and <c>status.certificates</c> from its ACME listeners' managers
/// (pure). True when every ACME listener holds a valid certificate; otherwise False with each failing listener's
/// message (the CA's problem detail on a failed challenge).
/// </summary>
public static class CertificateConditions
{
    /// <summary>The compiled status with <c>CertificateReady</c> added (StatusComposer then keeps its transition time).</summary>
    public static ResourceStatus AddTo(ResourceStatus compiled, IReadOnlyList<AcmeListenerStatus> listeners, long generation)
    {
        if (listeners.Count == 0) return compiled;
        var notReady = listeners.Where(l => !l.Certificate.Ready).ToList();
        var condition = new Condition
        {
            Type = ConditionTypes.CertificateReady,
            Status = notReady.Count == 0 ? ConditionStatus.True : ConditionStatus.False,
            Reason = notReady.Count == 0 ? ConditionReasons.Issued
                : notReady.Any(l => l.Certificate.ConsecutiveFailures > 0 || l.Listener.Problem is not null) ? ConditionReasons.Failed : ConditionReasons.Pending,
            Message = notReady.Count == 0
                ? string.Join("; ", listeners.Select(l => $"{l.Listener.Listener}: {l.Certificate.Message}"))
                : string.Join("; ", notReady.Select(l => $"{l.Listener.Listener}: {l.Certificate.Message}")),
            ObservedGeneration = generation,
        };
        return compiled with { Conditions = compiled.Conditions.Add(condition) };
    }

    /// <summary><c>status.certificates</c>: each hostname with the notAfter of the certificate that serves it.</summary>
    public static List<CertificateStatus>? Certificates(IReadOnlyList<AcmeListenerStatus> listeners)
    {
        var result = listeners.Where(l => l.Certificate.NotAfter is not null)
            .SelectMany(l => l.Listener.Hostnames.Select(h => new CertificateStatus { Host = h, NotAfter = l.Certificate.NotAfter }))
            .ToList();
        return result.Count == 0 ? null : result;
    }
}
