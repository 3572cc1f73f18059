using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>Rate limits and IP allow/deny lists.</summary>
internal static class TrafficAnnotations
{
    public static void Read(AnnotationReader a, IngressSettings s)
    {
        var rps = a.Int("limit-rps", 1);
        var rpm = a.Int("limit-rpm", 1);
        var multiplier = a.Int("limit-burst-multiplier", 1, 1000);
        if (rps is { } perSecond)
        {
            s.RateLimit = new RateLimitSpec { RequestsPerSecond = perSecond, Burst = perSecond * (multiplier ?? 5), Key = RateLimitKey.ClientIp };
            a.Approximated("limit-rps", $"rateLimit {perSecond}/s per client IP, burst {s.RateLimit.Burst}; over the limit Ballast answers 429 with Retry-After (ingress-nginx: 503)");
            if (rpm is not null) a.Approximated("limit-rpm", "not applied: limit-rps is set and Ballast keeps one rate limit per route");
        }
        else if (rpm is { } perMinute)
        {
            s.RateLimit = new RateLimitSpec { RequestsPerMinute = perMinute, Burst = perMinute * (multiplier ?? 5), Key = RateLimitKey.ClientIp };
            a.Approximated("limit-rpm", $"rateLimit {perMinute}/min per client IP, burst {s.RateLimit.Burst}; over the limit Ballast answers 429 (ingress-nginx: 503)");
        }
        if (multiplier is not null)
        {
            if (s.RateLimit is null) a.Unsupported("limit-burst-multiplier", "has no effect without limit-rps or limit-rpm");
            else a.Mapped("limit-burst-multiplier", $"rateLimit.burst: {s.RateLimit.Burst}");
        }
        if (a.Has("limit-connections"))
            a.Unsupported("limit-connections", "Ballast limits concurrent requests per pool (circuitBreaker.maxRequests), not per client address");
        if (a.Has("limit-whitelist") || a.Has("limit-allowlist"))
        {
            a.Unsupported("limit-whitelist", "Ballast's rate limit has no exempt addresses");
            a.Unsupported("limit-allowlist", "Ballast's rate limit has no exempt addresses");
        }

        var allow = a.Cidrs("whitelist-source-range") ?? a.Cidrs("allowlist-source-range");
        var deny = a.Cidrs("denylist-source-range");
        if (allow is not null || deny is not null)
        {
            s.AccessControl = new AccessControlSpec { Allow = allow, Deny = deny };
            if (allow is not null)
            {
                a.Mapped("whitelist-source-range", $"accessControl.allow: {string.Join(", ", allow)} (403 otherwise)");
                a.Mapped("allowlist-source-range", $"accessControl.allow: {string.Join(", ", allow)} (403 otherwise)");
            }
            if (deny is not null) a.Mapped("denylist-source-range", $"accessControl.deny: {string.Join(", ", deny)} (403)");
        }
    }
}
