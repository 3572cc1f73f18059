using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Ballast.Acme.Jose;
using Ballast.Acme.Listeners;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Certificates;

/// <summary>
/// ACME account keys in Secrets (entry <c>account.key</c>, PKCS#8 PEM): <c>tls.acme.accountSecretRef</c> in the
/// policy's namespace, or <c>ballast-acme-account</c> there. Created when absent; when two writers race, the
/// one that lost reads the winner's key, so both talk as one account.
/// </summary>
public sealed class SecretAccountKeys(IKubernetes client)
{
    public const string DefaultSecretName = "ballast-acme-account";
    public const string KeyEntry = "account.key";
    private readonly ConcurrentDictionary<string, AcmeAccountKey> _keys = new(StringComparer.Ordinal);

    public async Task<AcmeAccountKey> GetAsync(AcmeListener listener, CancellationToken ct)
    {
        var name = listener.AccountSecretRef is { Length: > 0 } named ? named : DefaultSecretName;
        var id = $"{listener.Namespace}/{name}";
        if (_keys.TryGetValue(id, out var cached)) return cached;
        var key = await LoadOrCreateAsync(listener.Namespace, name, ct).ConfigureAwait(false);
        return _keys.GetOrAdd(id, key);
    }

    private async Task<AcmeAccountKey> LoadOrCreateAsync(string ns, string name, CancellationToken ct)
    {
        if (await ReadAsync(ns, name, ct).ConfigureAwait(false) is { } existing) return existing;
        var key = AcmeAccountKey.Generate();
        try
        {
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { [SecretCertificateStore.ManagedByLabel] = SecretCertificateStore.ManagedBy },
                },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [KeyEntry] = Encoding.UTF8.GetBytes(key.ExportPem()) },
            }, ns, cancellationToken: ct).ConfigureAwait(false);
            return key;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            key.Dispose();
            return await ReadAsync(ns, name, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Secret {ns}/{name}: created by someone else but has no {KeyEntry}.");
        }
    }

    private async Task<AcmeAccountKey?> ReadAsync(string ns, string name, CancellationToken ct)
    {
        var secret = await SecretReader.TryReadAsync(client, ns, name, ct).ConfigureAwait(false);
        if (secret is null) return null;
        if (secret.Data?.TryGetValue(KeyEntry, out var pem) != true)
            throw new InvalidOperationException($"Secret {ns}/{name} (tls.acme.accountSecretRef) has no \"{KeyEntry}\" entry.");
        return AcmeAccountKey.FromPem(Encoding.UTF8.GetString(pem!));
    }
}
