using Ballast.Acme.Challenges;
using Ballast.Acme.Client;
using Ballast.Acme.Protocol;

namespace Ballast.Acme.Issuance;

/// <summary>
/// The order flow of RFC 8555 §7.4 with HTTP-01: account, order, for each pending authorization publish the
/// key authorization and tell the CA, poll, then finalize with a CSR and download the chain.
/// Challenge tokens are withdrawn from the store whatever the outcome.
/// </summary>
public sealed class AcmeCertificateIssuer(AcmeClient client, IHttp01ChallengeStore challenges, AcmeIssuerOptions? options = null) : ICertificateIssuer, IDisposable
{
    private readonly AcmeIssuerOptions _options = options ?? new AcmeIssuerOptions();
    private readonly SemaphoreSlim _account = new(1, 1);

    /// <summary>Releases the account lock (the ACME client belongs to the caller).</summary>
    public void Dispose() => _account.Dispose();

    public async Task<IssuedCertificate> IssueAsync(IReadOnlyList<string> hostnames, CancellationToken ct)
    {
        if (hostnames.Count == 0) throw new ArgumentException("A certificate needs at least one hostname.", nameof(hostnames));
        await EnsureAccountAsync(ct).ConfigureAwait(false);

        var order = await client.NewOrderAsync(hostnames, ct).ConfigureAwait(false);
        var orderUrl = order.Url!;
        var published = new List<string>();
        try
        {
            foreach (var authorizationUrl in order.Authorizations)
            {
                await AuthorizeAsync(authorizationUrl, published, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var token in published) challenges.Remove(token);
        }

        order = await client.PollOrderAsync(orderUrl, ct).ConfigureAwait(false);
        if (order.Status != AcmeStatus.Ready) throw OrderFailed(order, "after its authorizations");

        var (csr, keyPem) = CertificateSigningRequest.Create(hostnames);
        order = await client.FinalizeAsync(order, csr, ct).ConfigureAwait(false);
        if (order.Status != AcmeStatus.Valid) order = await client.PollOrderAsync(orderUrl, ct).ConfigureAwait(false);
        if (order.Status != AcmeStatus.Valid || order.Certificate is null) throw OrderFailed(order, "after finalize");

        var chain = await client.DownloadCertificateAsync(order.Certificate, ct).ConfigureAwait(false);
        return new IssuedCertificate(chain, keyPem);
    }

    private async Task EnsureAccountAsync(CancellationToken ct)
    {
        if (client.AccountUrl is not null) return;
        await _account.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (client.AccountUrl is null)
            {
                await client.RegisterAccountAsync(_options.ContactEmails, _options.TermsOfServiceAgreed, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _account.Release();
        }
    }

    private async Task AuthorizeAsync(Uri authorizationUrl, List<string> published, CancellationToken ct)
    {
        var authorization = await client.GetAuthorizationAsync(authorizationUrl, ct).ConfigureAwait(false);
        if (authorization.Status == AcmeStatus.Valid) return; // reused from an earlier order
        var host = authorization.Identifier.Value;
        if (authorization.Status != AcmeStatus.Pending)
        {
            throw new AcmeException($"Authorization for {host} is {authorization.Status}, not pending.");
        }
        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == Http01.ChallengeType && c.Token is not null)
            ?? throw new AcmeException($"The CA offers no http-01 challenge for {host} (offered: {string.Join(", ", authorization.Challenges.Select(c => c.Type))}).");

        challenges.Add(challenge.Token!, client.Http01KeyAuthorization(challenge.Token!));
        published.Add(challenge.Token!);
        if (_options.PublishChallenges is { } publish) await publish(ct).ConfigureAwait(false);
        await client.RespondToChallengeAsync(challenge.Url, ct).ConfigureAwait(false);

        authorization = await client.PollAuthorizationAsync(authorizationUrl, ct).ConfigureAwait(false);
        if (authorization.Status == AcmeStatus.Valid) return;
        var failed = authorization.Challenges.FirstOrDefault(c => c.Error is not null);
        if (failed?.Error is { } error)
        {
            throw new AcmeProblemException($"{failed.Type} challenge for {host} failed", error);
        }
        throw new AcmeException($"Authorization for {host} ended {authorization.Status} without an error from the CA.");
    }

    private static AcmeException OrderFailed(AcmeOrder order, string stage) =>
        order.Error is { } error
            ? new AcmeProblemException($"Order {stage} is {order.Status}", error)
            : new AcmeException($"Order {stage} is {order.Status}, expected {(stage.Contains("finalize") ? "valid with a certificate" : "ready")}.");
}
