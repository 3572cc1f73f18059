namespace Ballast.Ingress.Routing;

/// <summary>Extracts the host name from a Host header value without allocating.</summary>
public static class HostName
{
    /// <summary>"Example.com:8080" → "Example.com"; "[::1]:80" → "::1"; a trailing dot is dropped.</summary>
    public static ReadOnlySpan<char> Of(ReadOnlySpan<char> hostHeader)
    {
        var host = hostHeader;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            host = close > 0 ? host[1..close] : host;
        }
        else
        {
            var colon = host.LastIndexOf(':');
            if (colon >= 0) host = host[..colon];
        }
        if (host.EndsWith('.')) host = host[..^1];
        return host;
    }
}
