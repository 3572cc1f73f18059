using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ballast.Acme.Issuance;

/// <summary>
/// A certificate chain (PEM, leaf first) and its private key (PKCS#8 PEM): the two halves of a
/// kubernetes.io/tls Secret (tls.crt, tls.key) or of two files.
/// </summary>
public sealed record IssuedCertificate
{
    public string ChainPem { get; }
    public string PrivateKeyPem { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    public string SerialNumber { get; }
    /// <summary>DNS names of the leaf's subjectAltName.</summary>
    public IReadOnlyList<string> DnsNames { get; }

    public IssuedCertificate(string chainPem, string privateKeyPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chainPem);
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPem);
        using var leaf = X509Certificate2.CreateFromPem(chainPem, privateKeyPem); // also proves key and leaf match
        ChainPem = chainPem;
        PrivateKeyPem = privateKeyPem;
        NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        SerialNumber = leaf.SerialNumber;
        var names = new List<string>();
        foreach (var extension in leaf.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san) names.AddRange(san.EnumerateDnsNames());
        }
        DnsNames = names;
    }

    /// <summary>The leaf with its key, for Kestrel's ServerCertificate (the caller disposes it).</summary>
    public X509Certificate2 ToX509Certificate2() => X509Certificate2.CreateFromPem(ChainPem, PrivateKeyPem);

    /// <summary>
    /// What a TLS listener serves: the leaf with its key plus the intermediates, so clients that only
    /// trust the root can build the chain (Kestrel: TlsHandshakeCallbackOptions → ServerCertificateContext).
    /// Built once per certificate, not per handshake.
    /// </summary>
    public SslStreamCertificateContext CreateCertificateContext()
    {
        var chain = Chain();
        var leaf = ToX509Certificate2();
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
        chain[0].Dispose();
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    /// <summary>Every certificate of the chain, leaf first (the intermediates go in the TLS handshake).</summary>
    public X509Certificate2Collection Chain()
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(ChainPem);
        return chain;
    }

    /// <summary>True when the leaf names every hostname (case-insensitive; a wildcard covers one label).</summary>
    public bool Covers(IEnumerable<string> hostnames) => hostnames.All(h => DnsNames.Any(n => Matches(n, h)));

    private static bool Matches(string name, string host)
    {
        if (string.Equals(name, host, StringComparison.OrdinalIgnoreCase)) return true;
        if (!name.StartsWith("*.", StringComparison.Ordinal)) return false;
        var dot = host.IndexOf('.');
        return dot > 0 && string.Equals(name[1..], host[dot..], StringComparison.OrdinalIgnoreCase);
    }
}
