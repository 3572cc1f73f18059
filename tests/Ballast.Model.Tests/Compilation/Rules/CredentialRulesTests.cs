using System.Collections.Immutable;
using System.Text;
using Ballast.Model.Compilation;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public class CredentialRulesTests
{
    private const string Listener = "listeners: [ { name: http, port: 8080 } ]\n";
    // A bcrypt hash (htpasswd -nbB alice secret): the Compiler checks its form only.
    private const string AliceHash = "$2y$05$O6Kn2N3dTfEzQ6TRhIj5d.iGsFGsYp6q5xN9V9fQ3c2R5Cq0J7Cne";

    private static ResolvedSecret File(string text) => new("file", ImmutableDictionary<string, byte[]>.Empty.Add("f", Encoding.UTF8.GetBytes(text)));

    private static CompileResult CompileAuth(string auth, params (string Key, ResolvedSecret Secret)[] secrets) =>
        Compile(Pool("a") + Policy("p", Listener + $"routes:\n- {{ backends: [ {{ pool: a }} ], auth: {{ {auth} }} }}\n"),
            new CompilerInput { Secrets = secrets.ToDictionary(s => s.Key, s => s.Secret) });

    [Theory]
    [InlineData("apiKey: { }", "spec.routes[0].auth.apiKey: exactly one of secretRef or keysFile is required")]
    [InlineData("apiKey: { keysFile: /missing }", "spec.routes[0].auth.apiKey.keysFile: file \"/missing\" could not be read")]
    [InlineData("apiKey: { secretRef: nope }", "spec.routes[0].auth.apiKey.secretRef: Secret \"nope\" not found")]
    [InlineData("apiKey: { keysFile: /keys, header: \"X Key\" }", "spec.routes[0].auth.apiKey.header: \"X Key\" is not a valid header name")]
    [InlineData("apiKey: { keysFile: /short }", "spec.routes[0].auth.apiKey.keysFile: key \"ci\": at least 16 characters are required")]
    [InlineData("apiKey: { keysFile: /nocolon }", "spec.routes[0].auth.apiKey.keysFile: line 2: expected name:key")]
    [InlineData("basic: { usersFile: /sha1 }", "spec.routes[0].auth.basic.usersFile: line 1: user \"bob\": only bcrypt hashes are accepted")]
    [InlineData("basic: { usersFile: /keys, secretRef: users }", "spec.routes[0].auth.basic: exactly one of secretRef or usersFile is required")]
    [InlineData("basic: { usersFile: /users, realm: \"a\\\"b\" }", "spec.routes[0].auth.basic.realm: \"a\"b\" cannot be quoted")]
    [InlineData("basic: { usersFile: /users }, jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\" }", "spec.routes[0].auth: jwt and basic both read the Authorization header")]
    [InlineData("external: { url: \"auth.local/check\" }", "spec.routes[0].auth.external.url: expected an absolute http or https URL")]
    [InlineData("external: { url: \"http://auth/check\", timeout: 1m }", "spec.routes[0].auth.external.timeout: must be more than 0s and at most 30s")]
    [InlineData("external: { url: \"http://auth/check\", responseHeaders: [ \"X User\" ] }", "spec.routes[0].auth.external.responseHeaders[0]: \"X User\" is not a valid header name")]
    public void Auth_errors_name_the_field(string auth, string expected)
    {
        var r = CompileAuth(auth,
            ("/keys", File("ci: 0123456789abcdef0123\n")),
            ("/short", File("ci: tooshort\n")),
            ("/nocolon", File("# comment\njust-a-key-without-a-name\n")),
            ("/sha1", File("bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")),
            ("/users", File($"alice:{AliceHash}\n")));
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners.SelectMany(l => l.Routes)); // a route whose auth does not compile is never served
    }

    [Fact]
    public void Keys_from_a_Secret_enter_the_snapshot_as_digests_only()
    {
        var secret = new ResolvedSecret("Opaque", ImmutableDictionary<string, byte[]>.Empty
            .Add("ci", Encoding.UTF8.GetBytes("0123456789abcdef0123\n")).Add("web", Encoding.UTF8.GetBytes("fedcba9876543210fedc")));
        var r = CompileAuth("apiKey: { secretRef: keys, forwardKeyName: X-Client, stripCredential: true }", ("default/keys", secret));

        Assert.Empty(r.Diagnostics);
        var apiKey = r.Snapshot.Listeners.Single().Routes.Single().ApiKey!;
        Assert.Equal(["ci", "web"], apiKey.Keys.Select(k => k.Name).ToArray());
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("0123456789abcdef0123"u8)), apiKey.Keys[0].Sha256);
        Assert.Equal(("X-Api-Key", "X-Client", true), (apiKey.HeaderName, apiKey.ForwardKeyName, apiKey.StripCredential));
        Assert.DoesNotContain("0123456789abcdef0123", System.Text.Json.JsonSerializer.Serialize(r.Snapshot));
    }

    [Fact]
    public void Basic_users_and_external_auth_compile_with_their_defaults()
    {
        var r = CompileAuth("basic: { usersFile: /users }, external: { url: \"http://127.0.0.1:9/check\", responseHeaders: [ X-User ] }",
            ("/users", File($"# htpasswd -B\nalice:{AliceHash}\n")));

        Assert.Empty(r.Diagnostics);
        var route = r.Snapshot.Listeners.Single().Routes.Single();
        Assert.Equal([new Ballast.Model.Snapshots.BasicAuthUser("alice", AliceHash)], route.BasicAuth!.Users.ToArray());
        Assert.Equal("ballast", route.BasicAuth.Realm);
        Assert.Equal((TimeSpan.FromSeconds(2), false, "X-User"), (route.ExternalAuth!.Timeout, route.ExternalAuth.FailOpen, route.ExternalAuth.ResponseHeaders.Single()));
    }
}
