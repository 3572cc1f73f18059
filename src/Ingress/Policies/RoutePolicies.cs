using System.Globalization;
using Ballast.Ingress.Policies.AccessControl;
using Ballast.Ingress.Policies.Auth;
using Ballast.Ingress.Policies.RateLimiting;
using Ballast.Ingress.Redis;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.Net.Http.Headers;
using Prometheus;

namespace Ballast.Ingress.Policies;

/// <summary>
/// A route's compiled policy chain, run before a pool is chosen: IP access list, JWT, then rate limit (local or
/// global). Null for
/// a route without policies, so such routes pay one null check. When a policy refuses, it writes the
/// response itself and <see cref="AdmitAsync"/> returns false.
/// </summary>
public sealed class RoutePolicies
{
    private static readonly byte[] ForbiddenBody = "forbidden\n"u8.ToArray();
    private static readonly byte[] TooManyBody = "too many requests\n"u8.ToArray();
    private static readonly byte[] UnauthorizedBody = "unauthorized\n"u8.ToArray();

    private readonly IpAccessList? _access;
    private readonly LocalRateLimiter? _rateLimit;
    private readonly GlobalRateLimiter? _globalLimit;
    private readonly Counter.Child _rateLimited;
    /// <summary>Every kind the route demands, in order (JWT, API key, basic, external); empty when none.</summary>
    private readonly IRouteAuthenticator[] _auth;
    private readonly Counter _authFailures;
    private readonly string _routeId;

    private RoutePolicies(string routeId, IpAccessList? access, LocalRateLimiter? rateLimit, GlobalRateLimiter? globalLimit, IRouteAuthenticator[] auth, PolicyMetrics metrics)
    {
        _routeId = routeId;
        _auth = auth;
        _access = access;
        _rateLimit = rateLimit;
        _globalLimit = globalLimit;
        _rateLimited = metrics.RateLimited.WithLabels(routeId);
        _authFailures = metrics.AuthFailures;
    }

    /// <summary>
    /// The chain for a route, or null when it has none. The previous chain of the same route id hands over
    /// its rate limiter when the limit is unchanged, so a reload does not refill everyone's budget.
    /// </summary>
    /// <param name="redis">The ingress's shared Redis, for global limits; null without <c>--redis</c> (global limits then enforce the local share).</param>
    public static RoutePolicies? Create(RouteSnapshot route, PolicyMetrics metrics, TimeProvider time, RoutePolicies? previous, RedisConnection? redis = null)
    {
        var access = IpAccessList.Create(route.AccessControl, metrics, "route:" + route.Id);
        LocalRateLimiter? limiter = null;
        GlobalRateLimiter? global = null;
        if (route.RateLimit is { Mode: RateLimitMode.Global } globalLimit)
        {
            global = previous?._globalLimit is { } old && old.Config == globalLimit
                ? old
                : new GlobalRateLimiter(globalLimit, route.Id, redis, time, metrics.RateLimitDegraded.WithLabels(route.Id));
        }
        else if (route.RateLimit is { } limit)
        {
            limiter = previous?._rateLimit is { } old && old.Config == limit ? old : new LocalRateLimiter(limit, time);
        }
        var auth = new List<IRouteAuthenticator>();
        // Same settings as before: keep the instance (fetched key sets, remembered credentials, connections).
        IRouteAuthenticator Reuse(object config, Func<IRouteAuthenticator> create) =>
            previous?._auth.FirstOrDefault(a => a.Config.Equals(config)) ?? create();
        if (route.Jwt is { } jwt) auth.Add(Reuse(jwt, () => new JwtAuthenticator(jwt)));
        if (route.ApiKey is { } apiKey) auth.Add(Reuse(apiKey, () => new ApiKeyAuthenticator(apiKey)));
        if (route.BasicAuth is { } basic) auth.Add(Reuse(basic, () => new BasicAuthenticator(basic)));
        if (route.ExternalAuth is { } external) auth.Add(Reuse(external, () => new ExternalAuthenticator(external, metrics.AuthFailOpen.WithLabels(route.Id))));
        if (access is null && limiter is null && global is null && auth.Count == 0) return null;
        return new RoutePolicies(route.Id, access, limiter, global, [.. auth], metrics);
    }

    public ValueTask<bool> AdmitAsync(HttpContext context)
    {
        if (_access is { } access && !access.Admits(context.Connection.RemoteIpAddress))
        {
            access.Denied.Inc();
            return RefuseAsync(Forbid(context));
        }
        if (_auth.Length > 0) return AuthenticateThenLimitAsync(context);
        return Limit(context);
    }

    private async ValueTask<bool> AuthenticateThenLimitAsync(HttpContext context)
    {
        foreach (var authenticator in _auth)
        {
            var outcome = await authenticator.AuthenticateAsync(context);
            if (outcome != AuthOutcome.Passed)
            {
                // The authenticator wrote the refusal; failures are rare, so the child is looked up here, not cached.
                _authFailures.WithLabels(_routeId, authenticator.Kind, AuthOutcomeLabels.Of(outcome)).Inc();
                return false;
            }
        }
        return await Limit(context);
    }

    /// <summary>401 with the given <c>WWW-Authenticate</c> challenge.</summary>
    internal static Task Unauthorized(HttpContext context, string challenge)
    {
        context.Response.Headers.WWWAuthenticate = challenge;
        return Write(context, StatusCodes.Status401Unauthorized, UnauthorizedBody);
    }

    private ValueTask<bool> Limit(HttpContext context)
    {
        if (_rateLimit is { } limiter && !limiter.TryAcquire(context, out var retryAfter))
        {
            _rateLimited.Inc();
            return RefuseAsync(TooMany(context, limiter.Texts, retryAfter));
        }
        if (_globalLimit is { } global) return LimitGloballyAsync(context, global);
        return new ValueTask<bool>(true);
    }

    private async ValueTask<bool> LimitGloballyAsync(HttpContext context, GlobalRateLimiter global)
    {
        var (admitted, retryAfter) = await global.AcquireAsync(context);
        if (admitted) return true;
        _rateLimited.Inc();
        await TooMany(context, global.Texts, retryAfter);
        return false;
    }

    /// <summary>403 for a listener's or route's access list.</summary>
    public static Task Forbid(HttpContext context) => Write(context, StatusCodes.Status403Forbidden, ForbiddenBody);

    private static Task TooMany(HttpContext context, RateLimitTexts texts, TimeSpan retryAfter)
    {
        // Whole seconds, rounded up: a client that waits Retry-After gets through.
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var headers = context.Response.Headers;
        headers[HeaderNames.RetryAfter] = seconds;
        headers["RateLimit-Limit"] = texts.Limit;
        headers["RateLimit-Remaining"] = "0";
        headers["RateLimit-Reset"] = seconds;
        headers["RateLimit-Policy"] = texts.Policy;
        return Write(context, StatusCodes.Status429TooManyRequests, TooManyBody);
    }

    private static async ValueTask<bool> RefuseAsync(Task written)
    {
        await written;
        return false;
    }

    internal static Task Write(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
