using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ballast.Acme.Certificates;
using Ballast.Acme.Jose;
using Ballast.Acme.Listeners;

namespace Ballast.Ingress.Tls.Acme;

/// <summary>
/// ACME in standalone mode: everything kept in files under <c>STATE_DIR/acme/</c> (the <c>--state-dir</c> of
/// <c>ballast run</c>): <c>accounts/&lt;name&gt;.key</c>, one account key per ACME directory (or per
/// <c>tls.acme.accountSecretRef</c>, taken as a file name), and <c>certificates/&lt;ns&gt;_&lt;policy&gt;_&lt;listener&gt;.crt|.key</c>.
/// A restart reuses both: no new account, no new order while the certificate is valid.
/// </summary>
public static class StandaloneAcme
{
    public static CertificateSupervisorOptions Options(string stateDirectory, HttpClient http)
    {
        var root = Path.Combine(Path.GetFullPath(stateDirectory), "acme");
        var keys = new ConcurrentDictionary<string, AcmeAccountKey>(StringComparer.Ordinal);
        return new CertificateSupervisorOptions
        {
            Http = http,
            AccountKeys = (listener, _) => Task.FromResult(keys.GetOrAdd(AccountFileName(listener),
                name => AccountKeyFile.LoadOrCreate(Path.Combine(root, "accounts", name)))),
            Store = new FileCertificateStore(Path.Combine(root, "certificates")),
            StoreName = listener => $"{listener.Namespace}_{listener.Policy}_{listener.Listener}",
        };
    }

    /// <summary>The directory's host plus a hash of its URL: one account per CA, readable in a listing.</summary>
    private static string AccountFileName(AcmeListener listener)
    {
        if (listener.AccountSecretRef is { Length: > 0 } named && named.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && !named.StartsWith('.'))
            return named + ".key";
        var url = listener.Directory!.AbsoluteUri;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..12];
        return $"{listener.Directory.Host}-{hash}.key";
    }
}
