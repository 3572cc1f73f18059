using System.Collections.Frozen;

namespace Ballast.Ingress.Tls;

/// <summary>
/// SNI → certificate for one HTTPS port: an exact name wins, then a wildcard <c>*.example.com</c> (one label,
/// as RFC 6125 defines certificate wildcards), then the default (the listener's first certificate). Among
/// certificates naming the same host the earlier one wins. Immutable; lookups allocate only to lower-case a
/// name that is not lower-case already.
/// </summary>
public sealed class CertificateSelector
{
    private readonly FrozenDictionary<string, ServerCertificate> _exact;
    private readonly FrozenDictionary<string, ServerCertificate> _wildcard;

    public CertificateSelector(string listener, IReadOnlyList<ServerCertificate> certificates)
    {
        Listener = listener;
        Certificates = certificates;
        Default = certificates.Count > 0 ? certificates[0] : null;
        var exact = new Dictionary<string, ServerCertificate>(StringComparer.Ordinal);
        var wildcard = new Dictionary<string, ServerCertificate>(StringComparer.Ordinal);
        foreach (var cert in certificates)
            foreach (var name in cert.DnsNames)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal)) wildcard.TryAdd(name[2..], cert);
                else exact.TryAdd(name, cert);
            }
        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public string Listener { get; }
    public IReadOnlyList<ServerCertificate> Certificates { get; }
    public ServerCertificate? Default { get; }

    public ServerCertificate? Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Default;
        var name = serverName.TrimEnd('.');
        if (HasUpper(name)) name = name.ToLowerInvariant();
        if (_exact.TryGetValue(name, out var cert)) return cert;
        var dot = name.IndexOf('.');
        if (dot > 0 && _wildcard.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name.AsSpan(dot + 1), out cert)) return cert;
        return Default;
    }

    private static bool HasUpper(string s)
    {
        foreach (var c in s) if (c is >= 'A' and <= 'Z') return true;
        return false;
    }
}
