using System.Net;
using System.Text;
using Ballast.Acme.Certificates;
using Ballast.Acme.Issuance;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Certificates;

/// <summary>
/// Issued certificates in <c>kubernetes.io/tls</c> Secrets (<c>tls.crt</c> = chain, <c>tls.key</c> = key), so a
/// new leader or a restart reuses them instead of ordering again. Store names are <c>namespace/secret</c>.
/// </summary>
public sealed class SecretCertificateStore(IKubernetes client) : ICertificateStore
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "ballast-operator";

    public async Task<IssuedCertificate?> LoadAsync(string name, CancellationToken ct)
    {
        var (ns, secretName) = Split(name);
        var secret = await SecretReader.TryReadAsync(client, ns, secretName, ct).ConfigureAwait(false);
        if (secret?.Data is not { } data || !data.TryGetValue("tls.crt", out var crt) || !data.TryGetValue("tls.key", out var key)) return null;
        try
        {
            return new IssuedCertificate(Encoding.UTF8.GetString(crt), Encoding.UTF8.GetString(key));
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return null; // damaged: obtain a new one and overwrite it
        }
    }

    public Task SaveAsync(string name, IssuedCertificate certificate, CancellationToken ct)
    {
        var (ns, secretName) = Split(name);
        return SecretReader.CreateOrReplaceAsync(client, new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = secretName, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedBy } },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.UTF8.GetBytes(certificate.ChainPem),
                ["tls.key"] = Encoding.UTF8.GetBytes(certificate.PrivateKeyPem),
            },
        }, ct);
    }

    private static (string Namespace, string Name) Split(string name)
    {
        var slash = name.IndexOf('/');
        if (slash <= 0 || slash == name.Length - 1) throw new ArgumentException($"'{name}' is not namespace/name.", nameof(name));
        return (name[..slash], name[(slash + 1)..]);
    }
}

/// <summary>The few Secret calls the certificate code makes, with 404 as null and create-or-replace.</summary>
internal static class SecretReader
{
    public static async Task<V1Secret?> TryReadAsync(IKubernetes client, string ns, string name, CancellationToken ct)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates the Secret; when it exists, replaces it at the version just read (a conflict is retried by the caller's back-off).</summary>
    public static async Task CreateOrReplaceAsync(IKubernetes client, V1Secret secret, CancellationToken ct)
    {
        var ns = secret.Metadata.NamespaceProperty;
        var existing = await TryReadAsync(client, ns, secret.Metadata.Name, ct).ConfigureAwait(false);
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct).ConfigureAwait(false);
            return;
        }
        secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: ct).ConfigureAwait(false);
    }
}
