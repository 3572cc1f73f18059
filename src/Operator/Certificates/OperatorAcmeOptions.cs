using Ballast.Acme.Client;

namespace Ballast.Operator.Certificates;

/// <summary>How the operator's leader talks to ACME directories (defaults: system trust, real clock).</summary>
public sealed record OperatorAcmeOptions
{
    /// <summary>Null: a client with the system's trust store (Let's Encrypt and any public CA).</summary>
    public HttpClient? Http { get; init; }
    /// <summary>Renewal and back-off clock (a FakeTimeProvider in tests).</summary>
    public TimeProvider ManagerTime { get; init; } = TimeProvider.System;
    public AcmeClientOptions? Client { get; init; }
    public int Seed { get; init; } = Environment.TickCount;
    /// <summary>How long a new token may take to reach every connected replica before the CA is told to fetch it.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
