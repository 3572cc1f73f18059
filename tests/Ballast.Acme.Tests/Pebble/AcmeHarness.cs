using Ballast.Acme.Challenges;
using Ballast.Acme.Client;
using Ballast.Acme.Issuance;
using Ballast.Acme.Jose;

namespace Ballast.Acme.Tests.Pebble;

/// <summary>Pebble, a challenge server on its httpPort, and our client/issuer wired to them.</summary>
internal sealed class AcmeHarness : IAsyncDisposable
{
    public PebbleServer Pebble { get; }
    public ChallengeServer? Challenges { get; private set; }
    public InMemoryHttp01ChallengeStore Store { get; }
    public AcmeAccountKey AccountKey { get; } = AcmeAccountKey.Generate();
    public AcmeClient Client { get; }
    public AcmeCertificateIssuer Issuer { get; }
    public int HttpPort { get; }
    public string Hostname { get; } = $"t{Guid.NewGuid():N}"[..12] + ".ballast.test";

    /// <summary>Fast polls: Pebble with PEBBLE_VA_NOSLEEP validates at once and sends no Retry-After.</summary>
    public static AcmeClientOptions FastPolls { get; } = new() { DefaultPollInterval = TimeSpan.FromMilliseconds(50), MaxPolls = 200 };

    private AcmeHarness(PebbleServer pebble, InMemoryHttp01ChallengeStore store, ChallengeServer? challenges, int httpPort, AcmeClientOptions? options)
    {
        Pebble = pebble;
        Store = store;
        Challenges = challenges;
        HttpPort = httpPort;
        Client = new AcmeClient(pebble.Http, pebble.DirectoryUrl, AccountKey, TimeProvider.System, options ?? FastPolls);
        Issuer = new AcmeCertificateIssuer(Client, Store, new AcmeIssuerOptions { ContactEmails = ["ops@ballast.test"] });
    }

    /// <param name="challengeServerUp">false: Pebble's httpPort has nobody listening (the ingress unreachable).</param>
    public static async Task<AcmeHarness> StartAsync(bool challengeServerUp = true, int nonceRejectPercent = 0, AcmeClientOptions? options = null)
    {
        var store = new InMemoryHttp01ChallengeStore();
        var challenges = await ChallengeServer.StartAsync(store);
        var port = challenges.Port;
        if (!challengeServerUp)
        {
            await challenges.DisposeAsync();
            challenges = null;
        }
        var pebble = await PebbleServer.StartAsync(port, nonceRejectPercent);
        var harness = new AcmeHarness(pebble, store, challenges, port, options);
        await pebble.AddARecordAsync(harness.Hostname);
        return harness;
    }

    /// <summary>Brings the challenge server (back) up on Pebble's httpPort.</summary>
    public async Task StartChallengeServerAsync()
    {
        if (Challenges is not null) return;
        Challenges = await ChallengeServer.StartAsync(Store, HttpPort);
    }

    public async ValueTask DisposeAsync()
    {
        if (Challenges is not null) await Challenges.DisposeAsync();
        await Pebble.DisposeAsync();
        AccountKey.Dispose();
    }
}
