using Ballast.Model.Resources;

namespace Ballast.Acme.Listeners;

/// <summary>
/// One HTTPS listener of a policy that asks for an ACME certificate: the key under which its certificate enters
/// the compile (<c>CompilerInput.AcmeCertificates</c>, <c>namespace/policy/listener</c>) and what to order.
/// <see cref="Problem"/> is set when no certificate can be ordered for it (it is then reported, never managed).
/// </summary>
public sealed record AcmeListener(
    string Namespace,
    string Policy,
    string Listener,
    Uri? Directory,
    string? Email,
    string? AccountSecretRef,
    IReadOnlyList<string> Hostnames,
    string? Problem)
{
    public string Key => $"{Namespace}/{Policy}/{Listener}";

    /// <summary>Same order (directory, account, names): a running manager can keep going.</summary>
    public bool SameOrder(AcmeListener other) =>
        Directory == other.Directory && Email == other.Email && AccountSecretRef == other.AccountSecretRef
        && Hostnames.SequenceEqual(other.Hostnames, StringComparer.Ordinal);
}

/// <summary>Picks the ACME listeners out of the policies (pure).</summary>
public static class AcmeListeners
{
    public static IReadOnlyList<AcmeListener> From(IEnumerable<LoadBalancerPolicy> policies)
    {
        var result = new List<AcmeListener>();
        foreach (var policy in policies)
        {
            var listeners = policy.Spec.Listeners ?? [];
            for (var i = 0; i < listeners.Count; i++)
            {
                var listener = listeners[i];
                if (listener.Protocol != ListenerProtocol.HTTPS || listener.Tls?.Acme is not { } acme) continue;
                var hostnames = (listener.Hostnames ?? []).Select(h => h.Trim().ToLowerInvariant()).Where(h => h.Length > 0)
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var field = $"spec.listeners[{i}]";
                Uri.TryCreate(acme.Directory, UriKind.Absolute, out var directory);
                var problem =
                    directory is null || directory.Scheme is not ("https" or "http") ? $"{field}.tls.acme.directory: expected an absolute http(s) URL, got \"{acme.Directory}\""
                    : hostnames.Count == 0 ? $"{field}.hostnames: an ACME certificate needs at least one hostname"
                    : hostnames.FirstOrDefault(h => h.Contains('*')) is { } wildcard ? $"{field}.hostnames: \"{wildcard}\" is a wildcard; HTTP-01 cannot validate wildcards (use tls.certificates)"
                    : null;
                result.Add(new AcmeListener(policy.NamespaceOrDefault, policy.Metadata.Name, listener.Name, directory,
                    string.IsNullOrWhiteSpace(acme.Email) ? null : acme.Email.Trim(), acme.AccountSecretRef, hostnames, problem));
            }
        }
        return result;
    }
}
