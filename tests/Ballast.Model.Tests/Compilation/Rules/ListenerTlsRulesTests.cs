using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ballast.Model.Compilation;
using Ballast.Model.Snapshots;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public sealed class ListenerTlsRulesTests
{
    private static (string Cert, string Key) SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static ResolvedSecret TlsSecret(string cert, string key) => new("kubernetes.io/tls",
        ImmutableDictionary<string, byte[]>.Empty.Add("tls.crt", Encoding.UTF8.GetBytes(cert)).Add("tls.key", Encoding.UTF8.GetBytes(key)));

    private static string HttpsPolicy(string tls) => Pool("web") + Policy("site", $$"""
        listeners:
          - { name: https, port: 8443, protocol: HTTPS, hostnames: [site.test], tls: {{tls}} }
        routes:
          - backends: [ { pool: web } ]
        """);

    [Fact]
    public void A_secret_certificate_lands_in_the_listener_snapshot_with_redirect_and_hsts()
    {
        var (cert, key) = SelfSigned("site.test");
        var result = Compile(HttpsPolicy("{ certificates: [ { secretRef: site-tls } ], redirectHttp: true, hsts: 1h }"),
            new CompilerInput { Secrets = new Dictionary<string, ResolvedSecret> { ["default/site-tls"] = TlsSecret(cert, key) } });

        Assert.False(result.HasErrors, Messages(result));
        var tls = result.Snapshot.Listeners.Single().Tls!;
        Assert.Equal(ListenerKind.Https, result.Snapshot.Listeners.Single().Kind);
        Assert.Equal(cert, tls.Certificates.Single().CertificatePem);
        Assert.Equal("secret default/site-tls", tls.Certificates.Single().Source);
        Assert.True(tls.RedirectHttp);
        Assert.Equal(TimeSpan.FromHours(1), tls.Hsts);
        Assert.Equal(["site.test"], tls.Hostnames.ToArray());
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused_naming_the_field()
    {
        var (cert, _) = SelfSigned("site.test");
        var (_, otherKey) = SelfSigned("other.test");
        var result = Compile(HttpsPolicy("{ certificates: [ { secretRef: site-tls } ] }"),
            new CompilerInput { Secrets = new Dictionary<string, ResolvedSecret> { ["default/site-tls"] = TlsSecret(cert, otherKey) } });

        HasError(result, "spec.listeners[0].tls.certificates[0].secretRef: secret default/site-tls: the certificate and key do not load together");
        Assert.Empty(result.Snapshot.Listeners.SelectMany(l => l.Tls?.Certificates ?? []));
    }

    [Fact]
    public void Pem_garbage_and_missing_files_are_refused_naming_the_field()
    {
        var garbage = Compile(HttpsPolicy("{ certificates: [ { secretRef: site-tls } ] }"),
            new CompilerInput { Secrets = new Dictionary<string, ResolvedSecret> { ["default/site-tls"] = TlsSecret("not a pem", "nor this") } });
        var missing = Compile(HttpsPolicy("{ certificates: [ { certificateFile: /nowhere/site.crt, keyFile: /nowhere/site.key } ] }"));

        HasError(garbage, "spec.listeners[0].tls.certificates[0].secretRef: secret default/site-tls: the certificate is not PEM");
        HasError(missing, "spec.listeners[0].tls.certificates[0].certificateFile: file \"/nowhere/site.crt\" could not be read");
    }

    [Fact]
    public void An_acme_certificate_is_served_first_and_challenges_travel_in_the_snapshot()
    {
        var (issued, issuedKey) = SelfSigned("site.test");
        var result = Compile(HttpsPolicy("{ acme: { directory: \"https://acme.test/dir\" } }"), new CompilerInput
        {
            AcmeCertificates = new Dictionary<string, ResolvedSecret> { ["default/site/https"] = TlsSecret(issued, issuedKey) },
            AcmeChallenges = new Dictionary<string, string> { ["tok"] = "tok.thumb" },
        });

        Assert.False(result.HasErrors, Messages(result));
        Assert.Equal("acme default/site/https", result.Snapshot.Listeners.Single().Tls!.Certificates.Single().Source);
        Assert.Equal("tok.thumb", result.Snapshot.AcmeChallenges["tok"]);
    }
}
