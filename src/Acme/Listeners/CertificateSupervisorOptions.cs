using Ballast.Acme.Certificates;
using Ballast.Acme.Client;
using Ballast.Acme.Jose;

namespace Ballast.Acme.Listeners;

/// <summary>What a <see cref="CertificateSupervisor"/> needs from its host (standalone ingress or operator).</summary>
public sealed record CertificateSupervisorOptions
{
    /// <summary>Talks to the ACME directories (shared, not disposed by the supervisor).</summary>
    public required HttpClient Http { get; init; }

    /// <summary>The account key for a listener (standalone: a file per directory; operator: a Secret). Called once per manager.</summary>
    public required Func<AcmeListener, CancellationToken, Task<AcmeAccountKey>> AccountKeys { get; init; }

    /// <summary>Where certificates are kept between restarts.</summary>
    public required ICertificateStore Store { get; init; }

    /// <summary>The listener's name in <see cref="Store"/> (a file name, a Secret name).</summary>
    public required Func<AcmeListener, string> StoreName { get; init; }

    /// <summary>Drives renewal and back-off (a FakeTimeProvider in tests moves them).</summary>
    public TimeProvider ManagerTime { get; init; } = TimeProvider.System;

    /// <summary>Drives the ACME client's polls (the real clock even in tests: Pebble answers in real time).</summary>
    public TimeProvider ClientTime { get; init; } = TimeProvider.System;

    public AcmeClientOptions? Client { get; init; }
    public RenewalPolicy? Renewal { get; init; }

    /// <summary>Seed of the back-off jitter (each manager draws its own Random from it).</summary>
    public int Seed { get; init; } = Environment.TickCount;
}
