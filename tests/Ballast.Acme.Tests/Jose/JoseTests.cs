using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballast.Acme.Client;
using Ballast.Acme.Jose;

namespace Ballast.Acme.Tests.Jose;

[Trait("Category", "Integration")]
public sealed class JoseTests
{
    // RFC 7515 Appendix A.3 (also RFC 7517 A.2): the published ES256 example key.
    private const string X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    private const string Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    private const string D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

    private static AcmeAccountKey Rfc7515Key() => AcmeAccountKey.FromParameters(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Base64Url.Decode(X), Y = Base64Url.Decode(Y) },
        D = Base64Url.Decode(D),
    });

    [Fact]
    public void Thumbprint_of_rfc7638s_example_key_is_the_published_value()
    {
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["e"] = "AQAB",
            ["alg"] = "RS256",
            ["kid"] = "2011-04-29",
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JwkThumbprint.Compute(jwk));
    }

    [Fact]
    public void Thumbprint_of_an_ec_key_hashes_crv_kty_x_y_in_that_order_without_whitespace()
    {
        using var key = Rfc7515Key();
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{X}\",\"y\":\"{Y}\"}}";

        Assert.Equal(Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), key.Thumbprint);
        Assert.Equal(X, key.Jwk["x"]);
        Assert.Equal(Y, key.Jwk["y"]);
    }

    [Fact]
    public void Verifies_rfc7515s_published_es256_signature_so_signatures_are_raw_r_and_s()
    {
        using var key = Rfc7515Key();
        const string signingInput = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        var signature = Base64Url.Decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");

        Assert.Equal(64, signature.Length);
        Assert.True(key.VerifyEs256(Encoding.ASCII.GetBytes(signingInput), signature));
        Assert.False(key.VerifyEs256(Encoding.ASCII.GetBytes(signingInput + "x"), signature));
    }

    [Fact]
    public void NewAccount_jws_carries_the_jwk_and_a_signature_the_public_key_alone_verifies()
    {
        using var key = AcmeAccountKey.Generate();
        var url = new Uri("https://ca.test/acme/new-acct");

        var jws = JsonDocument.Parse(JwsSigner.Sign(key, """{"termsOfServiceAgreed":true}"""u8, url, "nonce-1", kid: null)).RootElement;

        var protectedB64 = jws.GetProperty("protected").GetString()!;
        var payloadB64 = jws.GetProperty("payload").GetString()!;
        var header = JsonDocument.Parse(Base64Url.Decode(protectedB64)).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("nonce-1", header.GetProperty("nonce").GetString());
        Assert.Equal(url.AbsoluteUri, header.GetProperty("url").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
        var jwk = header.GetProperty("jwk");
        Assert.Equal("""{"termsOfServiceAgreed":true}""", Encoding.UTF8.GetString(Base64Url.Decode(payloadB64)));

        // Verify with a key rebuilt from the header's jwk only: what the CA does.
        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.Decode(jwk.GetProperty("x").GetString()!), Y = Base64Url.Decode(jwk.GetProperty("y").GetString()!) },
        });
        var signature = Base64Url.Decode(jws.GetProperty("signature").GetString()!);
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64), signature,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void Post_as_get_jws_uses_kid_and_an_empty_payload()
    {
        using var key = AcmeAccountKey.Generate();

        var jws = JsonDocument.Parse(JwsSigner.Sign(key, ReadOnlySpan<byte>.Empty, new Uri("https://ca.test/order/1"), "n", "https://ca.test/acct/7")).RootElement;

        Assert.Equal("", jws.GetProperty("payload").GetString());
        var header = JsonDocument.Parse(Base64Url.Decode(jws.GetProperty("protected").GetString()!)).RootElement;
        Assert.Equal("https://ca.test/acct/7", header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
    }

    [Fact]
    public void Account_key_survives_a_pem_round_trip_as_the_same_account()
    {
        using var key = AcmeAccountKey.Generate();
        using var again = AcmeAccountKey.FromPem(key.ExportPem());

        Assert.Equal(key.Thumbprint, again.Thumbprint);
        var data = "x"u8.ToArray();
        Assert.True(key.VerifyEs256(data, again.SignEs256(data)));
    }

    [Fact]
    public void A_pem_that_is_no_ec_key_is_rejected_naming_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => AcmeAccountKey.FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));
        Assert.Equal("pem", error.ParamName);
    }

    [Fact]
    public void Key_authorization_is_token_dot_thumbprint()
    {
        using var key = Rfc7515Key();
        var client = new AcmeClient(new HttpClient(), new Uri("https://ca.test/dir"), key, TimeProvider.System);

        Assert.Equal("tok-en_1." + key.Thumbprint, client.Http01KeyAuthorization("tok-en_1"));
    }

    [Fact]
    public void Account_key_file_is_created_once_then_read_back()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ballast-acct-").FullName, "account.pem");
        try
        {
            using var created = AccountKeyFile.LoadOrCreate(path);
            using var loaded = AccountKeyFile.LoadOrCreate(path);

            Assert.Equal(created.Thumbprint, loaded.Thumbprint);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Theory]
    [InlineData(new byte[0], "")]
    [InlineData(new byte[] { 0xfb, 0xff }, "-_8")]
    [InlineData(new byte[] { 1, 2, 3, 4 }, "AQIDBA")]
    public void Base64url_has_no_padding_and_url_safe_characters(byte[] data, string expected)
    {
        Assert.Equal(expected, Base64Url.Encode(data));
        Assert.Equal(data, Base64Url.Decode(expected));
    }
}
