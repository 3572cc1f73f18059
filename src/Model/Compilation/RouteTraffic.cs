using System.Collections.Immutable;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>
/// A route's traffic policies, compiled: rate limit, authentication (JWT, API key, basic, external) and access control.
/// The same rules compile a native route's fields and a LoadBalancerPolicy's <c>spec.traffic</c> for the Gateway API
/// routes it targets (policy attachment).
/// </summary>
internal sealed record RouteTraffic(RateLimitSnapshot? RateLimit, JwtAuthSnapshot? Jwt, ApiKeyAuthSnapshot? ApiKey, BasicAuthSnapshot? BasicAuth,
    ExternalAuthSnapshot? ExternalAuth, AccessControlSnapshot? AccessControl)
{
    /// <param name="field">Where <c>rateLimit</c>, <c>auth</c> and <c>accessControl</c> sit (a route, or <c>spec.traffic</c>).</param>
    public static RouteTraffic Compile(ResourceReport r, FieldPath field, RateLimitSpec? rateLimit, AuthSpec? auth, AccessControlSpec? access, CompilerInput input)
    {
        var traffic = new RouteTraffic(
            TrafficPolicyRules.RateLimit(r, field.Field("rateLimit"), rateLimit, routeHasJwt: auth?.Jwt is not null),
            AuthRules.Jwt(r, field.Field("auth").Field("jwt"), auth?.Jwt),
            CredentialRules.ApiKey(r, field.Field("auth").Field("apiKey"), auth?.ApiKey, input),
            CredentialRules.Basic(r, field.Field("auth").Field("basic"), auth?.Basic, input),
            CredentialRules.External(r, field.Field("auth").Field("external"), auth?.External),
            TrafficPolicyRules.AccessControl(r, field.Field("accessControl"), access));
        if (traffic.Jwt is not null && traffic.BasicAuth is not null) r.Error(field.Field("auth"), "jwt and basic both read the Authorization header: choose one");
        return traffic;
    }

    public RouteSnapshot ApplyTo(RouteSnapshot route) => route with
    {
        RateLimit = RateLimit,
        Jwt = Jwt,
        ApiKey = ApiKey,
        BasicAuth = BasicAuth,
        ExternalAuth = ExternalAuth,
        AccessControl = AccessControl,
    };
}

/// <summary>
/// A LoadBalancerPolicy's <c>spec.traffic</c> and the Gateway API objects it targets (<c>spec.targetRefs</c>), for the
/// Gateway API front-end to apply to the routes it places. <paramref name="Order"/> is the policy's resource order:
/// of two policies targeting one object, the older applies.
/// </summary>
internal sealed record TrafficAttachment(ResourceReport Report, string Namespace, ImmutableArray<(PolicyTargetReference Target, FieldPath Field)> Targets,
    RouteTraffic Traffic, int Order);
