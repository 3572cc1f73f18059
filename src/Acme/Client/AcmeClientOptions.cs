namespace Ballast.Acme.Client;

public sealed record AcmeClientOptions
{
    /// <summary>How often a request rejected with <c>badNonce</c> is sent again with a fresh nonce.</summary>
    public int MaxBadNonceRetries { get; init; } = 5;

    /// <summary>Wait between polls when the server sends no Retry-After.</summary>
    public TimeSpan DefaultPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound on one Retry-After wait (a server asking for an hour does not stall us that long).</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Polls of one authorization or order before giving up.</summary>
    public int MaxPolls { get; init; } = 30;

    /// <summary>Nonces kept from responses for later requests.</summary>
    public int MaxPooledNonces { get; init; } = 16;
}
