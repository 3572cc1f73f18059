namespace Ballast.Ingress.Health;

/// <summary>How one attempt to an endpoint ended, as far as health and retries care.</summary>
public enum AttemptOutcomeKind
{
    /// <summary>A response came back (any status; see <see cref="AttemptOutcome.StatusCode"/>).</summary>
    Response,
    /// <summary>No connection could be opened: nothing reached the backend.</summary>
    ConnectFailure,
    /// <summary>The connection broke (reset, closed early) after the request was sent.</summary>
    Reset,
    /// <summary>The backend did not answer within the (per-try) timeout.</summary>
    Timeout,
    /// <summary>The client went away or the request was cancelled: says nothing about the backend.</summary>
    Cancelled,
    /// <summary>An L4 connection to the backend opened (TCP/TLS passthrough): a success for passive health.</summary>
    Connected,
}

/// <summary>
/// The outcome of one attempt: its kind, for responses the status code, and for resets whether any byte of the
/// response had arrived (<see cref="NothingReceived"/>: a reset while the request was sent or its answer awaited,
/// what a backend that is stopping does to the requests it has taken).
/// </summary>
public readonly record struct AttemptOutcome(AttemptOutcomeKind Kind, int StatusCode = 0, bool NothingReceived = false)
{
    public static AttemptOutcome Response(int status) => new(AttemptOutcomeKind.Response, status);

    public static readonly AttemptOutcome ConnectFailure = new(AttemptOutcomeKind.ConnectFailure, NothingReceived: true);
    /// <summary>The connection broke after part of the response (its head) had arrived, or at a point where that is not known.</summary>
    public static readonly AttemptOutcome Reset = new(AttemptOutcomeKind.Reset);
    /// <summary>The connection broke (reset, closed, broken pipe) before any byte of the response arrived.</summary>
    public static readonly AttemptOutcome ResetBeforeResponse = new(AttemptOutcomeKind.Reset, NothingReceived: true);
    public static readonly AttemptOutcome Timeout = new(AttemptOutcomeKind.Timeout);
    public static readonly AttemptOutcome Cancelled = new(AttemptOutcomeKind.Cancelled);
    public static readonly AttemptOutcome Connected = new(AttemptOutcomeKind.Connected);

    /// <summary>What passive health counts against the endpoint: connect failures, resets, timeouts and 5xx.</summary>
    public bool IsBackendFailure => Kind switch
    {
        AttemptOutcomeKind.Response => StatusCode >= 500,
        AttemptOutcomeKind.Cancelled or AttemptOutcomeKind.Connected => false,
        _ => true,
    };

    /// <summary>What clears the failure count: an answer below 500. Cancellations are neutral.</summary>
    public bool IsBackendSuccess => Kind == AttemptOutcomeKind.Connected || (Kind == AttemptOutcomeKind.Response && StatusCode < 500);

    public override string ToString() => Kind == AttemptOutcomeKind.Response ? $"HTTP {StatusCode}" : Kind switch
    {
        AttemptOutcomeKind.ConnectFailure => "connect failure",
        AttemptOutcomeKind.Reset => NothingReceived ? "connection reset before the response" : "connection reset",
        AttemptOutcomeKind.Timeout => "timeout",
        AttemptOutcomeKind.Connected => "connected",
        _ => "cancelled",
    };
}
