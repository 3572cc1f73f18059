using Ballast.Acme.Challenges;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// Pebble plus the challenge server on its httpPort, answering from one challenge store. Starting Pebble
/// costs seconds (it generates its CA keys), so tests that need no special Pebble settings share one
/// (<see cref="SharedPebble"/>), each with its own account, client and hostname (<see cref="AcmeHarness"/>).
/// </summary>
public class PebbleEnvironment : IAsyncLifetime
{
    private readonly int _nonceRejectPercent;
    private ChallengeServer? _challenges;

    internal PebbleServer Pebble { get; private set; } = null!;
    internal InMemoryHttp01ChallengeStore Store { get; } = new();
    internal ChallengeServer.Options Challenges { get; } = new();
    internal int HttpPort { get; private set; }

    public PebbleEnvironment() : this(0) { }

    private PebbleEnvironment(int nonceRejectPercent) => _nonceRejectPercent = nonceRejectPercent;

    /// <summary>A private environment (e.g. with nonce rejection on); dispose it.</summary>
    internal static async Task<PebbleEnvironment> StartAsync(int nonceRejectPercent)
    {
        var environment = new PebbleEnvironment(nonceRejectPercent);
        await environment.InitializeAsync();
        return environment;
    }

    public async Task InitializeAsync()
    {
        _challenges = await ChallengeServer.StartAsync(Store, Challenges);
        HttpPort = _challenges.Port;
        Pebble = await PebbleServer.StartAsync(HttpPort, _nonceRejectPercent);
    }

    /// <summary>Nobody listens on Pebble's httpPort any more: the ingress is unreachable.</summary>
    internal async Task StopChallengeServerAsync()
    {
        if (_challenges is null) return;
        await _challenges.DisposeAsync();
        _challenges = null;
    }

    internal async Task StartChallengeServerAsync()
    {
        _challenges ??= await ChallengeServer.StartAsync(Store, Challenges, HttpPort);
    }

    public async Task DisposeAsync()
    {
        await StopChallengeServerAsync();
        if (Pebble is not null) await Pebble.DisposeAsync();
    }
}

/// <summary>One Pebble for the tests of this collection (they run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class SharedPebble : ICollectionFixture<PebbleEnvironment>
{
    public const string Name = "Shared Pebble";
}
