using System.Text;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Re-encryption to backends: the CA and client certificate come from Secrets (or files) the caller resolved.</summary>
internal static class BackendTlsRules
{
    public static BackendTlsSnapshot? Compile(ResourceReport r, FieldPath field, BackendTlsSpec? spec, string ns, CompilerInput input)
    {
        if (spec is null) return null;
        if (spec.CaSecretRef is not null && spec.CaFile is not null) r.Error(field, "at most one of caSecretRef, caFile");
        if (spec.ClientCertificateSecretRef is not null && (spec.ClientCertificateFile ?? spec.ClientKeyFile) is not null)
            r.Error(field, "at most one of clientCertificateSecretRef, clientCertificateFile/clientKeyFile");
        if ((spec.ClientCertificateFile is null) != (spec.ClientKeyFile is null))
            r.Error(field, "clientCertificateFile and clientKeyFile go together");
        if (spec.ServerName is { } sni && Names.NormalizeHost(sni, allowWildcard: false) is null)
            r.Error(field.Field("serverName"), $"\"{sni}\" is not a valid host name");

        string? ca = null, cert = null, key = null;
        if (spec.CaSecretRef is { } caRef) ca = FromSecret(r, field.Field("caSecretRef"), input, $"{ns}/{caRef}", "ca.crt");
        if (spec.CaFile is { } caFile) ca = FromSecret(r, field.Field("caFile"), input, caFile, "ca.crt");
        if (spec.ClientCertificateSecretRef is { } certRef)
        {
            cert = FromSecret(r, field.Field("clientCertificateSecretRef"), input, $"{ns}/{certRef}", "tls.crt");
            key = FromSecret(r, field.Field("clientCertificateSecretRef"), input, $"{ns}/{certRef}", "tls.key");
        }
        if (spec.ClientCertificateFile is { } certFile) cert = FromSecret(r, field.Field("clientCertificateFile"), input, certFile, "tls.crt");
        if (spec.ClientKeyFile is { } keyFile) key = FromSecret(r, field.Field("clientKeyFile"), input, keyFile, "tls.key");
        return new BackendTlsSnapshot
        {
            CaPem = ca,
            ServerName = spec.ServerName?.ToLowerInvariant(),
            ClientCertificatePem = cert,
            ClientKeyPem = key,
            InsecureSkipVerify = spec.InsecureSkipVerify,
        };
    }

    /// <summary>The entry <paramref name="dataKey"/> of a Secret, or the only entry of a file.</summary>
    private static string? FromSecret(ResourceReport r, FieldPath field, CompilerInput input, string id, string dataKey)
    {
        if (!input.Secrets.TryGetValue(id, out var secret))
        {
            r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, field, $"Secret \"{id}\" not found");
            return null;
        }
        if (secret.Data.TryGetValue(dataKey, out var bytes) || (secret.Data.Count == 1 && (bytes = secret.Data.Values.First()) is not null))
            return Encoding.UTF8.GetString(bytes);
        r.Unresolved(ConditionReasons.SecretNotFound, field, $"Secret \"{id}\" has no \"{dataKey}\"");
        return null;
    }
}
