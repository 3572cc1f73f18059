using Ballast.Model.Snapshots;
using Microsoft.Net.Http.Headers;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// A route that answers with a redirect instead of forwarding. The Location keeps what the redirect does not
/// replace: scheme, host, path and query of the request. The Compiler fills the port for native and Gateway API routes
/// (the redirect's, else the scheme's well-known port when it sets a scheme, else the listener's); a redirect without
/// one (Ingress objects) keeps the request's port unless it changes scheme or host.
/// </summary>
public sealed class RedirectResponder
{
    private readonly RedirectSnapshot _config;
    private readonly PathPrefix? _prefix;

    public RedirectResponder(RedirectSnapshot config, MatchSnapshot match)
    {
        _config = config;
        if (config.PathPrefix is { } prefix && match.PathKind == PathMatchKind.Prefix) _prefix = new PathPrefix(match.Path, prefix);
    }

    public int StatusCode => _config.StatusCode;

    public string Location(HttpRequest request)
    {
        var scheme = _config.Scheme ?? request.Scheme;
        var host = _config.Host ?? request.Host.Host;
        var port = _config.Port ?? (_config.Scheme is null && _config.Host is null ? request.Host.Port : null);
        var defaultPort = scheme == "https" ? 443 : 80;
        var authority = port is { } p && p != defaultPort ? $"{host}:{p}" : host;
        var requestPath = request.PathBase.Add(request.Path).Value ?? "/";
        var path = _config.Path ?? _prefix?.Apply(requestPath) ?? requestPath;
        return $"{scheme}://{authority}{new PathString(path).ToUriComponent()}{request.QueryString.ToUriComponent()}";
    }

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = _config.StatusCode;
        response.Headers[HeaderNames.Location] = Location(context.Request);
        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
