using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Extracts and hashes the request's key for the hashing algorithms (the proxy calls it only when
/// <see cref="LoadBalancerRegistry.UsesKey"/>): client IP, a header, a cookie, a query parameter or the path.
/// When the request lacks it: the client IP (<see cref="HashFallback.ClientIp"/>) or no key
/// (<see cref="HashFallback.Random"/>: the balancer then picks at random). Allocation-free: the Cookie header and
/// the query string are scanned in place rather than through Request.Cookies / Request.Query, which parse into
/// dictionaries on first use. Names compare case-insensitively for headers, ordinally for cookies and query
/// parameters; values are hashed as sent (a query value is not URL-decoded).
/// </summary>
public static class RequestHashKey
{
    public static PickContext Compute(HttpContext context, LoadBalancingSnapshot options)
    {
        if (TryHashSource(context.Request, options.HashSource, options.HashName, out var hash))
        {
            return new PickContext(hash);
        }

        return options.HashSource == HashSource.ClientIp || options.HashFallback == HashFallback.ClientIp
            ? ClientIp(context)
            : PickContext.None;
    }

    private static PickContext ClientIp(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? new PickContext(HashKey.Of(address)) : PickContext.None;

    private static bool TryHashSource(HttpRequest request, HashSource source, string? name, out ulong hash)
    {
        hash = 0;
        switch (source)
        {
            case HashSource.ClientIp:
                return false; // handled by the caller (it is also the fallback)
            case HashSource.Path:
                var path = request.Path.Value;
                if (string.IsNullOrEmpty(path))
                {
                    return false;
                }

                hash = HashKey.Of(path);
                return true;
            case HashSource.Header when !string.IsNullOrEmpty(name):
                return TryHashHeader(request.Headers[name], out hash);
            case HashSource.Cookie when !string.IsNullOrEmpty(name):
                return TryHashCookie(request.Headers.Cookie, name, out hash);
            case HashSource.Query when !string.IsNullOrEmpty(name):
                return TryHashQuery(request.QueryString.Value, name, out hash);
            default:
                return false;
        }
    }

    private static bool TryHashHeader(StringValues values, out ulong hash)
    {
        hash = 0;
        var found = false;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            hash = found ? HashKey.Combine(hash, value) : HashKey.Of(value);
            found = true;
        }

        return found;
    }

    /// <summary>The first non-empty value of the cookie <paramref name="name"/> in any Cookie header line.</summary>
    private static bool TryHashCookie(StringValues headers, string name, out ulong hash)
    {
        foreach (var value in new Http.CookieValues(headers, name))
        {
            if (!value.IsEmpty)
            {
                hash = HashKey.Of(value);
                return true;
            }
        }

        hash = 0;
        return false;
    }

    /// <summary>Finds the first <c>name=value</c> in <c>?a=1&amp;b=2</c>.</summary>
    private static bool TryHashQuery(string? query, string name, out ulong hash)
    {
        var rest = (query ?? "").AsSpan();
        if (rest.StartsWith('?'))
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('&');
            var pair = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (TryValue(pair, name, out var value) && !value.IsEmpty)
            {
                hash = HashKey.Of(value);
                return true;
            }
        }

        hash = 0;
        return false;
    }

    private static bool TryValue(ReadOnlySpan<char> pair, string name, out ReadOnlySpan<char> value)
    {
        value = default;
        if (pair.Length <= name.Length || pair[name.Length] != '=' || !pair.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        value = pair[(name.Length + 1)..];
        return true;
    }
}
