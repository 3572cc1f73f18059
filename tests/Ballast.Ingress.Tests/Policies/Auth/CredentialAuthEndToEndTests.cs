using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.Auth;

/// <summary>
/// API keys and basic auth end to end: a real ingress, a backend that counts its requests and echoes the
/// identity headers it received, so a refused request is seen never to arrive and a forged header never to pass.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CredentialAuthEndToEndTests
{
    private const string CiKey = "ci-0123456789abcdef";
    private const string WebKey = "web-fedcba9876543210";

    private static async Task<PolicyRouteSetup> StartAsync(RouteSnapshot route) =>
        await PolicyRouteSetup.StartAsync(await TestBackend.StartAsync("api", ctx => ctx.Response.WriteAsync(
            $"who={ctx.Request.Headers["X-Who"]};key={ctx.Request.Headers["X-Api-Key"].Count};auth={ctx.Request.Headers.Authorization.Count}")), route);

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Send(HttpClient client, Action<HttpRequestMessage> prepare)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Who", "forged");
        prepare(request);
        var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static RouteSnapshot ApiKeyRoute() => Route("r", ("p", 1)) with
    {
        ApiKey = new ApiKeyAuthSnapshot
        {
            Keys = [new("ci", Digest(CiKey)), new("web", Digest(WebKey))],
            ForwardKeyName = "X-Who",
            StripCredential = true,
        },
    };

    private static string Digest(string key) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task A_known_API_key_passes_with_its_name_forwarded_and_the_key_stripped()
    {
        await using var s = await StartAsync(ApiKeyRoute());

        var ci = await Send(s.Client, r => r.Headers.Add("X-Api-Key", CiKey));
        var web = await Send(s.Client, r => r.Headers.Add("X-Api-Key", WebKey));

        Assert.Equal((HttpStatusCode.OK, "who=ci;key=0;auth=0"), (ci.Status, ci.Body));
        Assert.Equal((HttpStatusCode.OK, "who=web;key=0;auth=0"), (web.Status, web.Body));
    }

    [Fact]
    public async Task Unknown_truncated_and_missing_API_keys_get_401_and_never_reach_the_backend()
    {
        await using var s = await StartAsync(ApiKeyRoute());

        var wrong = await Send(s.Client, r => r.Headers.Add("X-Api-Key", "ci-0123456789abcdeX"));
        var truncated = await Send(s.Client, r => r.Headers.Add("X-Api-Key", CiKey[..^1]));
        var missing = await Send(s.Client, _ => { });

        Assert.All(new[] { wrong, truncated, missing }, x => Assert.Equal(HttpStatusCode.Unauthorized, x.Status));
        Assert.Equal("ApiKey header=\"X-Api-Key\"", missing.Response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, s.Backend.Requests);
        Assert.Equal(2, await s.AuthFailuresAsync("apikey", "invalid"));
        Assert.Equal(1, await s.AuthFailuresAsync("apikey", "missing"));
    }

    private static RouteSnapshot BasicRoute() => Route("r", ("p", 1)) with
    {
        BasicAuth = new BasicAuthSnapshot
        {
            Realm = "shop",
            // Cost 4: the lowest bcrypt allows, to keep the test quick; production hashes use htpasswd -B's default.
            Users = [new("alice", BCrypt.Net.BCrypt.HashPassword("wonderland", 4)), new("bob", BCrypt.Net.BCrypt.HashPassword("builder", 4))],
            ForwardUser = "X-Who",
            StripCredential = true,
        },
    };

    private static Action<HttpRequestMessage> Basic(string user, string password) =>
        r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Basic_auth_admits_the_right_password_with_the_user_forwarded_and_the_credential_stripped()
    {
        await using var s = await StartAsync(BasicRoute());

        var first = await Send(s.Client, Basic("alice", "wonderland"));
        var again = await Send(s.Client, Basic("alice", "wonderland")); // remembered: no second bcrypt
        var bob = await Send(s.Client, Basic("bob", "builder"));

        Assert.Equal((HttpStatusCode.OK, "who=alice;key=0;auth=0"), (first.Status, first.Body));
        Assert.Equal((HttpStatusCode.OK, "who=alice;key=0;auth=0"), (again.Status, again.Body));
        Assert.Equal((HttpStatusCode.OK, "who=bob;key=0;auth=0"), (bob.Status, bob.Body));
    }

    [Fact]
    public async Task Basic_auth_refuses_a_wrong_password_an_unknown_user_and_no_credential_with_a_Basic_challenge()
    {
        await using var s = await StartAsync(BasicRoute());

        var wrong = await Send(s.Client, Basic("alice", "Wonderland"));
        var otherUsersPassword = await Send(s.Client, Basic("alice", "builder"));
        var unknown = await Send(s.Client, Basic("mallory", "wonderland"));
        var missing = await Send(s.Client, _ => { });
        var garbage = await Send(s.Client, r => r.Headers.TryAddWithoutValidation("Authorization", "Basic !!!"));

        Assert.All(new[] { wrong, otherUsersPassword, unknown, missing, garbage }, x => Assert.Equal(HttpStatusCode.Unauthorized, x.Status));
        Assert.Equal("Basic realm=\"shop\", charset=\"UTF-8\"", wrong.Response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, s.Backend.Requests);
        Assert.Equal(3, await s.AuthFailuresAsync("basic", "invalid"));
        Assert.Equal(2, await s.AuthFailuresAsync("basic", "missing"));
    }
}
