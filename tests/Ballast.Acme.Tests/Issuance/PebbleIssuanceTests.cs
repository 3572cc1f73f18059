using System.Security.Cryptography.X509Certificates;
using Ballast.Acme.Client;
using Ballast.Acme.Jose;
using Ballast.Acme.Protocol;
using Ballast.Acme.Tests.Support;

namespace Ballast.Acme.Tests.Issuance;

/// <summary>The order flow against a real Pebble whose validation authority really fetches the HTTP-01 token.</summary>
[Collection(SharedPebble.Name)]
[Trait("Category", "Integration")]
public sealed class PebbleIssuanceTests(PebbleEnvironment pebble)
{
    [Fact]
    public async Task Issues_a_certificate_whose_http01_token_pebble_fetched_and_that_chains_to_pebbles_root()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);

        var issued = await acme.Issuer.IssueAsync([acme.Hostname], CancellationToken.None);

        Assert.NotEmpty(acme.TokensServed);           // Pebble's VA came to our server for this host's token
        Assert.Empty(pebble.Store.Current);           // and the token is withdrawn afterwards
        Assert.Equal([acme.Hostname], issued.DnsNames);
        using var root = await acme.Pebble.GetRootAsync();
        var chain = issued.Chain();
        using var x509Chain = new X509Chain();
        x509Chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        x509Chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        x509Chain.ChainPolicy.CustomTrustStore.Add(root);
        x509Chain.ChainPolicy.ExtraStore.AddRange(chain.Skip(1).ToArray());
        Assert.True(x509Chain.Build(chain[0]), string.Join("; ", x509Chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, x509Chain.ChainElements[^1].Certificate.Thumbprint);
        using var withKey = issued.ToX509Certificate2();
        Assert.True(withKey.HasPrivateKey);
    }

    [Fact]
    public async Task One_certificate_for_several_hostnames_validates_each_and_names_all_as_sans()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);
        var www = "www." + acme.Hostname;
        await acme.Pebble.AddARecordAsync(www);

        var issued = await acme.Issuer.IssueAsync([acme.Hostname, www], CancellationToken.None);

        Assert.True(issued.Covers([acme.Hostname, www]));
        Assert.Contains(pebble.Challenges.Served, s => s.Host == www);
        Assert.Contains(pebble.Challenges.Served, s => s.Host == acme.Hostname);
    }

    [Fact]
    public async Task A_wrong_key_authorization_fails_pebbles_validation_with_its_unauthorized_problem()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);
        acme.AnswerWrongly();

        var error = await Assert.ThrowsAsync<AcmeProblemException>(() => acme.Issuer.IssueAsync([acme.Hostname], CancellationToken.None));

        Assert.NotEmpty(acme.TokensServed);
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", error.Problem.Type);
        Assert.Contains(acme.Hostname, error.Message);
    }

    [Fact]
    public async Task Registering_again_with_the_same_key_finds_the_existing_account()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);

        var first = await acme.Client.RegisterAccountAsync(["ops@ballast.test"], true, CancellationToken.None);
        using var sameKey = AcmeAccountKey.FromPem(acme.AccountKey.ExportPem());
        var again = new AcmeClient(acme.Pebble.Http, acme.Pebble.DirectoryUrl, sameKey, TimeProvider.System);
        var second = await again.RegisterAccountAsync(["ops@ballast.test"], true, CancellationToken.None);

        Assert.Equal("valid", first.Status);
        Assert.Equal(first.Url, second.Url);
    }

    [Fact]
    public async Task An_order_for_a_name_pebble_refuses_surfaces_its_problem_detail()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);

        var error = await Assert.ThrowsAsync<AcmeProblemException>(() => acme.Issuer.IssueAsync(["bad_name!.ballast.test"], CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.StartsWith("urn:ietf:params:acme:error:", error.Problem.Type);
        Assert.False(string.IsNullOrEmpty(error.Problem.Detail));
        Assert.Contains(error.Problem.Detail!, error.Message);
    }
}

/// <summary>badNonce handling: each test runs its own Pebble with nonce rejection switched on.</summary>
[Trait("Category", "Integration")]
public sealed class PebbleBadNonceTests
{
    [Fact]
    public async Task Retries_requests_that_pebble_rejects_with_badNonce()
    {
        // Pebble rejects 60% of good nonces: issuance (about ten signed requests) only succeeds by retrying.
        await using var environment = await PebbleEnvironment.StartAsync(nonceRejectPercent: 60);
        await using var acme = await AcmeHarness.CreateAsync(environment, AcmeHarness.FastPolls with { MaxBadNonceRetries = 40 });

        var issued = await acme.Issuer.IssueAsync([acme.Hostname], CancellationToken.None);

        Assert.Equal([acme.Hostname], issued.DnsNames);
        Assert.True(acme.Client.BadNonceRetries > 0, "Pebble rejected no nonce, so the retry was not exercised.");
    }

    [Fact]
    public async Task Retries_are_bounded_and_then_pebbles_badNonce_problem_surfaces()
    {
        await using var environment = await PebbleEnvironment.StartAsync(nonceRejectPercent: 100);
        await using var acme = await AcmeHarness.CreateAsync(environment, AcmeHarness.FastPolls with { MaxBadNonceRetries = 2 });

        var error = await Assert.ThrowsAsync<AcmeProblemException>(() => acme.Client.RegisterAccountAsync([], true, CancellationToken.None));

        Assert.Equal(AcmeProblem.BadNonce, error.Problem.Type);
        Assert.Equal(2, acme.Client.BadNonceRetries);
    }
}
