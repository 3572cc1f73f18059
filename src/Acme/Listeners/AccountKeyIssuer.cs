using Ballast.Acme.Challenges;
using Ballast.Acme.Client;
using Ballast.Acme.Issuance;

namespace Ballast.Acme.Listeners;

/// <summary>
/// An issuer whose account key is fetched at the first order (a Secret read or a file), so that managers can be
/// created synchronously when policies change and a key that cannot be read is a failed attempt with a message,
/// retried with back-off like any other, not a crash.
/// </summary>
internal sealed class AccountKeyIssuer(AcmeListener listener, CertificateSupervisorOptions options, IHttp01ChallengeStore challenges,
    Func<CancellationToken, Task> publishChallenges) : ICertificateIssuer, IDisposable
{
    private AcmeCertificateIssuer? _issuer;

    /// <summary>Releases the issuer it created at the first order, if any.</summary>
    public void Dispose() => _issuer?.Dispose();

    public async Task<IssuedCertificate> IssueAsync(IReadOnlyList<string> hostnames, CancellationToken ct)
    {
        if (_issuer is null)
        {
            var key = await options.AccountKeys(listener, ct).ConfigureAwait(false);
            var client = new AcmeClient(options.Http, listener.Directory!, key, options.ClientTime, options.Client);
            _issuer = new AcmeCertificateIssuer(client, challenges, new AcmeIssuerOptions
            {
                ContactEmails = listener.Email is { } email ? [email] : [],
                PublishChallenges = publishChallenges,
            });
        }
        return await _issuer.IssueAsync(hostnames, ct).ConfigureAwait(false);
    }
}
