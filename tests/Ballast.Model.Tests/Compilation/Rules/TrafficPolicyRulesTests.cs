using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public class TrafficPolicyRulesTests
{
    private const string Listener = "listeners: [ { name: http, port: 8080 } ]\n";

    private static CompileResult CompileRoute(string route) =>
        Compile(Pool("a") + Policy("p", Listener + "routes:\n" + route));

    [Theory]
    [InlineData("rateLimit: { burst: 5 }", "spec.routes[0].rateLimit: exactly one of requestsPerSecond or requestsPerMinute is required")]
    [InlineData("rateLimit: { requestsPerSecond: 1, requestsPerMinute: 60 }", "spec.routes[0].rateLimit: exactly one of requestsPerSecond or requestsPerMinute")]
    [InlineData("rateLimit: { requestsPerSecond: 0 }", "spec.routes[0].rateLimit.requestsPerSecond: must be between 1 and 1000000, got 0")]
    [InlineData("rateLimit: { requestsPerSecond: 5, burst: 0 }", "spec.routes[0].rateLimit.burst: must be between 1 and 10000000, got 0")]
    [InlineData("rateLimit: { requestsPerSecond: 5, key: Header }", "spec.routes[0].rateLimit.header: required when key is Header")]
    [InlineData("rateLimit: { requestsPerSecond: 5, key: Header, header: \"X Key\" }", "spec.routes[0].rateLimit.header: \"X Key\" is not a valid header name")]
    [InlineData("rateLimit: { requestsPerSecond: 5, key: Route, trustedProxies: [ 10.0.0.0/8 ] }", "spec.routes[0].rateLimit.trustedProxies: only used when key is ClientIp")]
    [InlineData("rateLimit: { requestsPerSecond: 5, trustedProxies: [ 10.0.0.0/33 ] }", "spec.routes[0].rateLimit.trustedProxies[0]: \"10.0.0.0/33\" is not a CIDR")]
    [InlineData("rateLimit: { requestsPerSecond: 5, mode: Global }", "spec.routes[0].rateLimit.replicas: required when mode is Global")]
    [InlineData("rateLimit: { requestsPerSecond: 5, mode: Global, replicas: 0 }", "spec.routes[0].rateLimit.replicas: must be between 1 and 1000, got 0")]
    [InlineData("rateLimit: { requestsPerSecond: 5, replicas: 3 }", "spec.routes[0].rateLimit.replicas: only used when mode is Global (mode is Local)")]
    [InlineData("rateLimit: { requestsPerSecond: 5, key: Claim, claim: sub }", "spec.routes[0].rateLimit.key: Claim needs auth.jwt on the same route")]
    [InlineData("rateLimit: { requestsPerSecond: 5, key: Claim }", "spec.routes[0].rateLimit.claim: required when key is Claim")]
    [InlineData("rateLimit: { requestsPerSecond: 5, claim: sub }", "spec.routes[0].rateLimit.claim: only used when key is Claim (key is ClientIp)")]
    [InlineData("accessControl: { deny: [ 10.0.0.0/8, \"10.1.2.3/8\" ] }", "spec.routes[0].accessControl.deny[1]: \"10.1.2.3/8\" is not a CIDR")]
    [InlineData("accessControl: { allow: [ nonsense ] }", "spec.routes[0].accessControl.allow[0]: \"nonsense\" is not a CIDR")]
    [InlineData("accessControl: { }", "spec.routes[0].accessControl: one of allow or deny is required")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"http://keys.example.com/jwks\" } }", "spec.routes[0].auth.jwt.jwksUrl: must be https outside loopback")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"ftp://x/jwks\" } }", "spec.routes[0].auth.jwt.jwksUrl: expected an absolute https URL")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\", algorithms: [ RS256, HS256 ] } }", "spec.routes[0].auth.jwt.algorithms[1]: expected RS256 or ES256, got \"HS256\"")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\", algorithms: [ none ] } }", "spec.routes[0].auth.jwt.algorithms[0]: expected RS256 or ES256, got \"none\"")]
    [InlineData("auth: { jwt: { audiences: [ a ], jwksUrl: \"https://x/jwks\" } }", "spec.routes[0].auth.jwt.issuer: required")]
    [InlineData("auth: { jwt: { issuer: i, jwksUrl: \"https://x/jwks\" } }", "spec.routes[0].auth.jwt.audiences: at least one audience is required")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\", clockSkew: 10m } }", "spec.routes[0].auth.jwt.clockSkew: must be between 0s and 5m")]
    [InlineData("auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\", forwardClaims: { sub: \"X User\" } } }", "spec.routes[0].auth.jwt.forwardClaims.sub: \"X User\" is not a valid header name")]
    public void Policy_errors_name_the_field(string policy, string expected)
    {
        var r = CompileRoute($"- {{ backends: [ {{ pool: a }} ], {policy} }}");
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners);
    }

    [Fact]
    public void A_loopback_JWKS_URL_over_http_is_accepted_with_defaults()
    {
        var r = CompileRoute("- { backends: [ { pool: a } ], auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"http://127.0.0.1:9999/jwks\" } } }");
        Assert.Empty(r.Diagnostics);
        var jwt = r.Snapshot.Listeners.Single().Routes.Single().Jwt!;
        Assert.Equal(["RS256", "ES256"], jwt.Algorithms.ToArray());
        Assert.Equal((TimeSpan.FromSeconds(30), false), (jwt.ClockSkew, jwt.StripCredential));
    }

    [Fact]
    public void A_global_limit_keyed_by_a_JWT_claim_compiles_with_its_replica_count()
    {
        var r = CompileRoute("- { backends: [ { pool: a } ], auth: { jwt: { issuer: i, audiences: [ a ], jwksUrl: \"https://x/jwks\" } }, " +
            "rateLimit: { requestsPerMinute: 50, key: Claim, claim: sub, mode: Global, replicas: 3 } }");
        Assert.Empty(r.Diagnostics);
        var limit = r.Snapshot.Listeners.Single().Routes.Single().RateLimit!;
        Assert.Equal((50, TimeSpan.FromMinutes(1), RateLimitKey.Claim, "sub", RateLimitMode.Global, 3),
            (limit.Limit, limit.Period, limit.Key, limit.ClaimName, limit.Mode, limit.Replicas));
    }

    [Fact]
    public void A_listener_access_list_on_a_TCP_listener_is_refused()
    {
        var r = Compile(Pool("t", "protocol: TCP\n") + Policy("p",
            "listeners: [ { name: db, port: 5432, protocol: TCP, accessControl: { deny: [ 10.0.0.0/8 ] } } ]\ntcpRoutes: [ { listener: db, backends: [ { pool: t } ] } ]\n"));
        HasError(r, "spec.listeners[0].accessControl: only HTTP and HTTPS listeners take accessControl (this one is TCP)");
    }

    [Fact]
    public void Rate_limits_and_access_lists_compile_into_the_snapshot()
    {
        var r = Compile(Pool("a") + Policy("p",
            "listeners: [ { name: http, port: 8080, accessControl: { deny: [ 192.0.2.7 ] } } ]\nroutes:\n" +
            "- { backends: [ { pool: a } ], rateLimit: { requestsPerMinute: 120, key: Header, header: X-Api-Key }, accessControl: { allow: [ \"10.0.0.0/8\", \"2001:db8::/32\" ] } }\n" +
            "- { match: { path: /b }, backends: [ { pool: a } ], rateLimit: { requestsPerSecond: 10, trustedProxies: [ 10.0.0.1 ] } }\n"));
        Assert.Empty(r.Diagnostics);
        var listener = r.Snapshot.Listeners.Single();
        Assert.Equal(["192.0.2.7/32"], listener.AccessControl!.Deny.ToArray());
        var open = listener.Routes.Single(x => x.Match.Path == "");
        Assert.Equal((120, TimeSpan.FromMinutes(1), 120, RateLimitKey.Header, "X-Api-Key"),
            (open.RateLimit!.Limit, open.RateLimit.Period, open.RateLimit.Burst, open.RateLimit.Key, open.RateLimit.HeaderName));
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], open.AccessControl!.Allow.ToArray());
        var b = listener.Routes.Single(x => x.Match.Path == "/b");
        Assert.Equal((10, TimeSpan.FromSeconds(1), 10), (b.RateLimit!.Limit, b.RateLimit.Period, b.RateLimit.Burst));
        Assert.Equal(["10.0.0.1/32"], b.RateLimit.TrustedProxies.ToArray());
    }
}
