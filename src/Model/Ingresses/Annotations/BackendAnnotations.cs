using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>How requests reach the backend: protocol, timeouts, retries, body size, balancing, stickiness.</summary>
internal static class BackendAnnotations
{
    /// <summary>ingress-nginx's default client_max_body_size: kept, so a migration changes no 413.</summary>
    public const long DefaultBodySize = 1024 * 1024;

    public static void Read(AnnotationReader a, IngressSettings s)
    {
        switch (a.OneOf("backend-protocol", "HTTP", "HTTPS", "GRPC", "GRPCS", "AUTO_HTTP", "FCGI"))
        {
            case "HTTP": a.Mapped("backend-protocol", "pool protocol HTTP1"); break;
            case "HTTPS":
                s.BackendTls = true;
                a.Mapped("backend-protocol", "pool protocol HTTP1 with tls.insecureSkipVerify (ingress-nginx does not verify backend certificates by default)");
                break;
            case "GRPC":
                s.Protocol = PoolProtocol.GRPC;
                a.Mapped("backend-protocol", "pool protocol GRPC (HTTP/2 cleartext)");
                break;
            case "GRPCS":
                s.Protocol = PoolProtocol.GRPC;
                s.BackendTls = true;
                a.Mapped("backend-protocol", "pool protocol GRPC with tls.insecureSkipVerify");
                break;
            case "AUTO_HTTP" or "FCGI":
                a.Unsupported("backend-protocol", $"Ballast speaks HTTP/1.1, HTTP/2 and gRPC to backends; {a.String("backend-protocol")} is not one of them");
                break;
        }

        if (a.Seconds("proxy-connect-timeout") is { } connect)
        {
            s.ConnectTimeout = connect;
            a.Mapped("proxy-connect-timeout", $"pool connectTimeout: {connect}");
        }
        var read = a.Seconds("proxy-read-timeout");
        var send = a.Seconds("proxy-send-timeout");
        if (read is not null || send is not null)
        {
            var idle = new Duration(TimeSpan.FromTicks(Math.Max(read?.Value.Ticks ?? 0, send?.Value.Ticks ?? 0)));
            s.IdleTimeout = idle;
            const string how = "route idleTimeout (the longest silence in either direction); with both given, the larger";
            if (read is not null) a.Approximated("proxy-read-timeout", $"{how}: {idle}");
            if (send is not null) a.Approximated("proxy-send-timeout", $"{how}: {idle}");
        }

        if (a.Size("proxy-body-size") is { } size)
        {
            s.MaxRequestBodyBytes = size == 0 ? null : size;
            a.Mapped("proxy-body-size", size == 0 ? "no body limit" : $"maxRequestBodyBytes: {size}");
        }
        else s.MaxRequestBodyBytes = DefaultBodySize;

        Retries(a, s);
        Balancing(a, s);
        Affinity(a, s);
    }

    private static void Retries(AnnotationReader a, IngressSettings s)
    {
        var tries = a.Int("proxy-next-upstream-tries", 0, 11);
        // 0 is nginx's "no limit" (its default), which retries.totalTimeout spells 0s too.
        var timeout = a.String("proxy-next-upstream-timeout") == "0" ? Duration.FromSeconds(0) : a.Seconds("proxy-next-upstream-timeout");
        if (a.String("proxy-next-upstream") is not { } conditions)
        {
            if (tries is not null) a.Unsupported("proxy-next-upstream-tries", "Ballast retries only with proxy-next-upstream given (ingress-nginx's implicit \"error timeout\" is not assumed)");
            if (timeout is not null) a.Unsupported("proxy-next-upstream-timeout", "has no effect without proxy-next-upstream");
            return;
        }
        var words = conditions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Contains("off"))
        {
            a.Mapped("proxy-next-upstream", "no retries");
            if (tries is not null) a.Mapped("proxy-next-upstream-tries", "no retries (proxy-next-upstream is off)");
            return;
        }
        var on = new List<string>();
        var dropped = new List<string>();
        var nonIdempotent = false;
        foreach (var w in words)
        {
            switch (w)
            {
                case "error": on.Add("connect-failure"); on.Add("reset"); break;
                case "timeout": on.Add("timeout"); break;
                case "http_502": on.Add("502"); break;
                case "http_503": on.Add("503"); break;
                case "http_504": on.Add("504"); break;
                case "non_idempotent": nonIdempotent = true; break;
                case "invalid_header" or "http_500" or "http_403" or "http_404" or "http_429": dropped.Add(w); break;
                default:
                    a.Invalid("proxy-next-upstream", $"\"{w}\" is not a proxy-next-upstream condition");
                    return;
            }
        }
        var attempts = Math.Clamp((tries is null or 0 ? 3 : tries.Value) - 1, 1, 10);
        s.Retries = new RetrySpec { Attempts = attempts, On = [.. on.Distinct()], NonIdempotent = nonIdempotent ? true : null, PerTryTimeout = null, TotalTimeout = timeout };
        var what = $"retries on {string.Join(", ", on.Distinct())}, {attempts} attempt(s)";
        if (dropped.Count > 0) a.Approximated("proxy-next-upstream", $"{what}; not retried on {string.Join(", ", dropped)} (Ballast retries on connect failure, reset, timeout, 502, 503, 504)");
        else a.Mapped("proxy-next-upstream", what);
        if (tries is not null) a.Mapped("proxy-next-upstream-tries", $"retries.attempts: {attempts} (tries include the first)");
        if (timeout is not null) a.Mapped("proxy-next-upstream-timeout", timeout.Value.Value == TimeSpan.Zero ? "retries.totalTimeout: 0s (no bound)" : $"retries.totalTimeout: {timeout}");
    }

    private static void Balancing(AnnotationReader a, IngressSettings s)
    {
        switch (a.OneOf("load-balance", "round_robin", "ewma", "chash", "chashsubset"))
        {
            case "round_robin":
                s.LoadBalancing = new LoadBalancingSpec { Algorithm = LoadBalancingAlgorithm.RoundRobin };
                a.Mapped("load-balance", "loadBalancing.algorithm RoundRobin");
                break;
            case "ewma":
                s.LoadBalancing = new LoadBalancingSpec { Algorithm = LoadBalancingAlgorithm.LeastResponseTime };
                a.Mapped("load-balance", "loadBalancing.algorithm LeastResponseTime (peak EWMA, as ingress-nginx's ewma)");
                break;
            case "chash" or "chashsubset":
                a.Unsupported("load-balance", "set upstream-hash-by instead (consistent hashing needs the key)");
                break;
        }
        if (a.String("upstream-hash-by") is not { } by) return;
        var key = HashKey(by);
        if (key is null)
        {
            a.Unsupported("upstream-hash-by", $"\"{by}\": Ballast hashes one of $remote_addr, $binary_remote_addr, $http_<name>, $cookie_<name>, $arg_<name>, $uri, $request_uri");
            return;
        }
        s.LoadBalancing = new LoadBalancingSpec { Algorithm = LoadBalancingAlgorithm.ConsistentHash, HashOn = key };
        if (a.Has("upstream-hash-by-subset")) a.Unsupported("upstream-hash-by-subset", "Ballast hashes over every endpoint; subsets are not supported");
        if (by is "$request_uri") a.Approximated("upstream-hash-by", "consistent hash on the path (ingress-nginx's $request_uri includes the query)");
        else a.Mapped("upstream-hash-by", $"loadBalancing ConsistentHash on {Describe(key)}");
    }

    private static HashKeySpec? HashKey(string by)
    {
        if (by is "$remote_addr" or "$binary_remote_addr") return new HashKeySpec { ClientIp = true };
        if (by is "$uri" or "$request_uri") return new HashKeySpec { Path = true };
        if (Variable(by, "$http_") is { } header) return new HashKeySpec { Header = header.Replace('_', '-') };
        if (Variable(by, "$cookie_") is { } cookie) return new HashKeySpec { Cookie = cookie };
        if (Variable(by, "$arg_") is { } arg) return new HashKeySpec { Query = arg };
        return null;
    }

    private static string? Variable(string by, string prefix) =>
        by.StartsWith(prefix, StringComparison.Ordinal) && by.Length > prefix.Length && by[prefix.Length..].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? by[prefix.Length..] : null;

    private static string Describe(HashKeySpec k) =>
        k.ClientIp == true ? "the client IP" : k.Path == true ? "the path" : k.Header is { } h ? $"header {h}" : k.Cookie is { } c ? $"cookie {c}" : $"query parameter {k.Query}";

    private static void Affinity(AnnotationReader a, IngressSettings s)
    {
        var type = a.OneOf("affinity", "cookie");
        string[] cookieAnnotations = ["session-cookie-name", "session-cookie-path", "session-cookie-max-age", "session-cookie-expires",
            "session-cookie-samesite", "session-cookie-secure", "session-cookie-domain", "affinity-mode", "session-cookie-change-on-failure",
            "session-cookie-conditional-samesite-none"];
        if (type is null)
        {
            foreach (var n in cookieAnnotations) if (a.Has(n)) a.Unsupported(n, "has no effect without affinity: cookie");
            return;
        }
        var spec = new SessionAffinitySpec { Type = AffinityType.Cookie, CookieName = a.String("session-cookie-name") ?? "INGRESSCOOKIE" };
        if (a.Has("session-cookie-name")) a.Mapped("session-cookie-name", $"sessionAffinity.cookieName: {spec.CookieName}");
        if (a.String("session-cookie-path") is { } path) { spec.Path = path; a.Mapped("session-cookie-path", $"sessionAffinity.path: {path}"); }
        if (a.String("session-cookie-domain") is { } domain) { spec.Domain = domain; a.Mapped("session-cookie-domain", $"sessionAffinity.domain: {domain}"); }
        var maxAge = a.Seconds("session-cookie-max-age");
        var expires = a.Seconds("session-cookie-expires");
        if ((maxAge ?? expires) is { } ttl)
        {
            spec.Ttl = ttl;
            if (maxAge is not null) a.Mapped("session-cookie-max-age", $"sessionAffinity.ttl: {ttl}");
            if (expires is not null) a.Mapped("session-cookie-expires", maxAge is null ? $"sessionAffinity.ttl: {ttl}" : "session-cookie-max-age wins, as in ingress-nginx");
        }
        switch (a.OneOf("session-cookie-samesite", "None", "Lax", "Strict"))
        {
            case { } same:
                spec.SameSite = Enum.Parse<SameSiteMode>(same);
                a.Mapped("session-cookie-samesite", $"sessionAffinity.sameSite: {same}");
                break;
        }
        if (a.Bool("session-cookie-secure") is { } secure) { spec.Secure = secure; a.Mapped("session-cookie-secure", $"sessionAffinity.secure: {secure.ToString().ToLowerInvariant()}"); }
        if (a.OneOf("affinity-mode", "balanced", "persistent") is { } mode)
            a.Approximated("affinity-mode", $"{mode}: Ballast's cookie always names its endpoint (persistent) and rebalances only when that endpoint leaves");
        if (a.Has("session-cookie-change-on-failure")) a.Approximated("session-cookie-change-on-failure", "Ballast always picks (and re-issues the cookie for) another endpoint when the cookie's endpoint is gone");
        if (a.Has("session-cookie-conditional-samesite-none")) a.Unsupported("session-cookie-conditional-samesite-none", "no user-agent sniffing: SameSite is sent as configured");
        spec.HttpOnly = true;
        s.Affinity = spec;
        a.Approximated("affinity", $"sessionAffinity Cookie \"{spec.CookieName}\" (HttpOnly); the cookie holds Ballast's signed endpoint token, not ingress-nginx's hash, so existing cookies are re-issued once");
    }
}
