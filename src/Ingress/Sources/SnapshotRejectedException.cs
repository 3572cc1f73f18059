namespace Ballast.Ingress.Sources;

/// <summary>
/// The data plane refused a snapshot for a reason its message states in full (a listener that cannot bind its port):
/// an expected outcome, not a fault, so sources log the message on one line, without a stack trace, count a failed
/// reload and keep the last good snapshot serving.
/// </summary>
public sealed class SnapshotRejectedException : Exception
{
    public SnapshotRejectedException() { }

    public SnapshotRejectedException(string message) : base(message) { }

    public SnapshotRejectedException(string message, Exception inner) : base(message, inner) { }
}
