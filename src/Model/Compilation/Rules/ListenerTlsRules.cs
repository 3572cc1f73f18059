using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>
/// TLS termination on an HTTPS listener: each certificate resolved (Secret, file, or ACME-issued) to PEM and
/// checked here, once, so that a replica never meets a certificate it cannot load: the PEM must parse and the
/// key must belong to the certificate. A certificate that fails is left out with ResolvedRefs=False naming it.
/// Parsing is pure (no store, no clock): expiry is watched by the data plane's metrics, not judged here.
/// </summary>
internal static class ListenerTlsRules
{
    public static ListenerTlsSnapshot? Compile(ResourceReport r, FieldPath tlsField, ListenerSpec listener, ImmutableArray<string> hostnames, CompilerInput input)
    {
        if (listener.Protocol != ListenerProtocol.HTTPS || listener.Tls is not { } tls) return null;
        var ns = r.Key.Namespace;
        var certificates = ImmutableArray.CreateBuilder<ListenerCertificateSnapshot>();

        // An ACME certificate, once issued, is the one the listener exists for: it goes first (the default).
        if (tls.Acme is not null && input.AcmeCertificates.TryGetValue($"{ns}/{r.Key.Name}/{listener.Name}", out var issued))
            Add(r, tlsField.Field("acme"), $"acme {ns}/{r.Key.Name}/{listener.Name}", issued, issued, certificates);

        for (var i = 0; i < (tls.Certificates?.Count ?? 0); i++)
        {
            var c = tls.Certificates![i];
            var cf = tlsField.Field("certificates").Index(i);
            if (c.SecretRef is { } secretRef)
            {
                // A missing Secret is reported by the listener rules already.
                if (input.Secrets.TryGetValue($"{ns}/{secretRef}", out var secret))
                {
                    if (secret.Type is { Length: > 0 } type && type != "kubernetes.io/tls" && type != "Opaque")
                        r.Unresolved(ConditionReasons.InvalidCertificate, cf.Field("secretRef"), $"Secret \"{secretRef}\" has type \"{type}\"; expected kubernetes.io/tls");
                    else Add(r, cf.Field("secretRef"), $"secret {ns}/{secretRef}", secret, secret, certificates);
                }
            }
            else if (c.CertificateFile is { } certFile && c.KeyFile is { } keyFile)
            {
                if (!input.Secrets.TryGetValue(certFile, out var certData))
                    r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, cf.Field("certificateFile"), $"file \"{certFile}\" could not be read");
                else if (!input.Secrets.TryGetValue(keyFile, out var keyData))
                    r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, cf.Field("keyFile"), $"file \"{keyFile}\" could not be read");
                else Add(r, cf, $"file {certFile}", certData, keyData, certificates);
            }
        }

        return new ListenerTlsSnapshot
        {
            Certificates = certificates.ToImmutable(),
            RedirectHttp = tls.RedirectHttp ?? false,
            Hsts = tls.Hsts?.Value,
            Hostnames = hostnames,
        };
    }

    internal static void Add(ResourceReport r, FieldPath field, string source, ResolvedSecret certData, ResolvedSecret keyData,
        ImmutableArray<ListenerCertificateSnapshot>.Builder into)
    {
        var certPem = Entry(certData, "tls.crt");
        var keyPem = Entry(keyData, "tls.key");
        if (certPem is null || keyPem is null)
        {
            r.Unresolved(ConditionReasons.InvalidCertificate, field, $"{source}: {(certPem is null ? "no tls.crt" : "no tls.key")}");
            return;
        }
        if (Check(certPem, keyPem) is { } problem)
        {
            r.Unresolved(ConditionReasons.InvalidCertificate, field, $"{source}: {problem}");
            return;
        }
        into.Add(new ListenerCertificateSnapshot { Source = source, CertificatePem = certPem, KeyPem = keyPem });
    }

    /// <summary>The named entry of a Secret, or the only entry of a file.</summary>
    private static string? Entry(ResolvedSecret secret, string key)
    {
        if (secret.Data.TryGetValue(key, out var bytes)) return Encoding.UTF8.GetString(bytes);
        return secret.Data.Count == 1 ? Encoding.UTF8.GetString(secret.Data.Values.First()) : null;
    }

    /// <summary>Null when the PEM pair loads and the key matches; otherwise what is wrong, for the status.</summary>
    internal static string? Check(string certPem, string keyPem)
    {
        if (!certPem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)) return "the certificate is not PEM (no BEGIN CERTIFICATE block)";
        if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal)) return "the key is not PEM (no PRIVATE KEY block)";
        try
        {
            using var cert = X509Certificate2.CreateFromPem(certPem, keyPem);
            return cert.HasPrivateKey ? null : "the key does not belong to the certificate";
        }
        catch (CryptographicException e)
        {
            // CreateFromPem throws for a key of another certificate ("The public key does not match...") and for bad PEM.
            return $"the certificate and key do not load together: {e.Message}";
        }
        catch (ArgumentException e)
        {
            // Also how CreateFromPem reports a key of another certificate ("The provided key does not match ...").
            return $"the certificate and key do not load together: {e.Message}";
        }
    }
}
