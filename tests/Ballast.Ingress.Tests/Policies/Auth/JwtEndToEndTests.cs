using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.Auth;

[Trait("Category", "Integration")]
public sealed class JwtEndToEndTests
{
    private const string Issuer = "https://issuer.test";
    private const string Audience = "orders";

    private static readonly RSA Key = RSA.Create(2048);
    private static readonly RSA OtherKey = RSA.Create(2048);

    private static string Jwks()
    {
        var p = Key.ExportParameters(false);
        return $"{{\"keys\":[{{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"k1\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}]}}";
    }

    private static string Token(RSA? key = null, string kid = "k1", string issuer = Issuer, string audience = Audience, DateTime? expires = null, string subject = "alice")
    {
        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            NotBefore = exp.AddMinutes(-20),
            IssuedAt = exp.AddMinutes(-20),
            Expires = exp,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? Key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        });
    }

    private static string Unsigned()
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "." + B64($"{{\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"alice\",\"exp\":{exp}}}") + ".";
    }

    private static string Tampered()
    {
        var parts = Token().Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("alice", "mallory");
        return parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "expired", Token(expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "wrong audience", Token(audience: "billing") },
        { "wrong issuer", Token(issuer: "https://evil.test") },
        { "bad signature", Tampered() },
        { "signed by another key", Token(key: OtherKey) },
        { "alg none", Unsigned() },
        { "right key, other kid", Token(kid: "k2") },
        { "no token", "" },
    };

    private static async Task<PolicyRouteSetup> StartAsync(RateLimitSnapshot? rateLimit = null)
    {
        var jwksJson = Jwks();
        var jwks = await TestBackend.StartAsync("jwks", ctx => { ctx.Response.ContentType = "application/json"; return ctx.Response.WriteAsync(jwksJson); });
        var backend = await TestBackend.StartAsync("api", ctx => ctx.Response.WriteAsync(
            $"user={ctx.Request.Headers["X-User"]};auth={ctx.Request.Headers.Authorization.Count}"));
        var route = Route("r", ("p", 1)) with
        {
            Jwt = new JwtAuthSnapshot
            {
                Issuer = Issuer,
                Audiences = [Audience],
                JwksUrl = $"http://127.0.0.1:{jwks.Port}/jwks",
                ClockSkew = TimeSpan.Zero,
                ForwardClaims = [KeyValuePair.Create("sub", "X-User")],
                StripCredential = true,
            },
            RateLimit = rateLimit,
        };
        return await PolicyRouteSetup.StartAsync(backend, route, jwks);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string token, string? spoofedUser = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (token.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (spoofedUser is not null) request.Headers.Add("X-User", spoofedUser);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task A_valid_token_passes_with_its_claim_forwarded_and_the_credential_stripped()
    {
        await using var s = await StartAsync();

        var response = await Send(s.Client, Token(), spoofedUser: "root");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user=alice;auth=0", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Bad_tokens_get_401_and_never_reach_the_backend(string why, string token)
    {
        await using var s = await StartAsync();

        var response = await Send(s.Client, token);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {response.StatusCode}");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, s.Backend.Requests);
        var reason = token.Length == 0 ? "missing" : "invalid";
        Assert.Equal(1, await s.AuthFailuresAsync("jwt", reason));
        // The same ingress still lets a good token through (the refusal was about the token, not the setup).
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, Token())).StatusCode);
    }

    [Fact]
    public async Task A_rate_limit_keyed_by_the_sub_claim_gives_each_user_its_own_budget()
    {
        await using var s = await StartAsync(new RateLimitSnapshot
        {
            Limit = 2,
            Period = TimeSpan.FromHours(1),
            Burst = 2,
            Key = RateLimitKey.Claim,
            ClaimName = "sub",
        });
        var alice = Token(subject: "alice");
        var bob = Token(subject: "bob");

        var aliceStatuses = new[] { (await Send(s.Client, alice)).StatusCode, (await Send(s.Client, alice)).StatusCode, (await Send(s.Client, alice)).StatusCode };
        var bobStatuses = new[] { (await Send(s.Client, bob)).StatusCode, (await Send(s.Client, bob)).StatusCode, (await Send(s.Client, bob)).StatusCode };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], aliceStatuses);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], bobStatuses);
        Assert.Equal(4, s.Backend.Requests);
    }
}
