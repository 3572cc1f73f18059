using Ballast.Acme.Client;
using Ballast.Acme.Issuance;
using Ballast.Acme.Jose;

namespace Ballast.Acme.Tests.Support;

/// <summary>One test's view of a Pebble environment: its own account key, client, issuer and hostname.</summary>
internal sealed class AcmeHarness : IAsyncDisposable
{
    public PebbleEnvironment Environment { get; }
    public PebbleServer Pebble => Environment.Pebble;
    public AcmeAccountKey AccountKey { get; } = AcmeAccountKey.Generate();
    public AcmeClient Client { get; }
    public AcmeCertificateIssuer Issuer { get; }
    public string Hostname { get; } = $"t{Guid.NewGuid():N}"[..12] + ".ballast.test";

    /// <summary>Fast polls: Pebble with PEBBLE_VA_NOSLEEP validates at once and sends no Retry-After.</summary>
    public static AcmeClientOptions FastPolls { get; } = new() { DefaultPollInterval = TimeSpan.FromMilliseconds(50), MaxPolls = 200 };

    private AcmeHarness(PebbleEnvironment environment, AcmeClientOptions? options)
    {
        Environment = environment;
        Client = new AcmeClient(environment.Pebble.Http, environment.Pebble.DirectoryUrl, AccountKey, TimeProvider.System, options ?? FastPolls);
        Issuer = new AcmeCertificateIssuer(Client, environment.Store, new AcmeIssuerOptions { ContactEmails = ["ops@ballast.test"] });
    }

    public static async Task<AcmeHarness> CreateAsync(PebbleEnvironment environment, AcmeClientOptions? options = null)
    {
        var harness = new AcmeHarness(environment, options);
        await environment.Pebble.AddARecordAsync(harness.Hostname);
        return harness;
    }

    /// <summary>Tokens Pebble's validation authority fetched for this test's hostname.</summary>
    public IReadOnlyList<string> TokensServed =>
        Environment.Challenges.Served.Where(s => string.Equals(s.Host, Hostname, StringComparison.OrdinalIgnoreCase)).Select(s => s.Token).ToList();

    public void AnswerWrongly() => Environment.Challenges.AnswerWronglyFor[Hostname] = true;

    public async ValueTask DisposeAsync()
    {
        // Leave the shared environment as the next test expects it.
        Environment.Challenges.AnswerWronglyFor.TryRemove(Hostname, out _);
        await Environment.StartChallengeServerAsync();
        AccountKey.Dispose();
    }
}
