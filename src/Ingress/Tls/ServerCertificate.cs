using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tls;

/// <summary>
/// One server certificate ready for handshakes: the chain context and the server options are built once,
/// when a snapshot brings the certificate, and shared by every handshake that selects it (SslStream copies
/// the options it is given, so sharing is safe).
/// </summary>
public sealed class ServerCertificate
{
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private ServerCertificate(string source, X509Certificate2 leaf, SslStreamCertificateContext context, ImmutableArray<string> dnsNames)
    {
        Source = source;
        Leaf = leaf;
        DnsNames = dnsNames;
        Options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Alpn,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public string Source { get; }
    public X509Certificate2 Leaf { get; }
    /// <summary>Lower-case DNS names from the subject alternative names (the subject CN when there are none).</summary>
    public ImmutableArray<string> DnsNames { get; }
    public SslServerAuthenticationOptions Options { get; }
    public DateTimeOffset NotAfter => Leaf.NotAfter.ToUniversalTime();

    /// <summary>Loads a PEM pair (chain leaf first, intermediates after it). Throws on bad PEM: the Compiler has checked it.</summary>
    public static ServerCertificate Load(ListenerCertificateSnapshot snapshot)
    {
        var leafWithKey = X509Certificate2.CreateFromPem(snapshot.CertificatePem, snapshot.KeyPem);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(snapshot.CertificatePem);
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
        // offline: the chain is built from what we were given; no AIA fetches on the first handshake.
        var context = SslStreamCertificateContext.Create(leafWithKey, intermediates, offline: true);
        return new ServerCertificate(snapshot.Source, leafWithKey, context, NamesOf(leafWithKey));
    }

    private static ImmutableArray<string> NamesOf(X509Certificate2 cert)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        foreach (var ext in cert.Extensions)
        {
            if (ext is X509SubjectAlternativeNameExtension san)
                foreach (var name in san.EnumerateDnsNames()) names.Add(name.ToLowerInvariant());
        }
        if (names.Count == 0 && cert.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } cn)
            names.Add(cn.ToLowerInvariant());
        return names.ToImmutable();
    }
}
