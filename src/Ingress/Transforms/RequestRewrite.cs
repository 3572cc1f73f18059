using System.Text.RegularExpressions;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Snapshots;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// A route's host and path rewrite (the whole path, the matched prefix, or a regex), applied by the route's transformer after YARP built the outgoing request.
/// The regex is compiled once per snapshot with the Compiler's options (NonBacktracking: linear time) and a
/// match timeout as a second guard; a timeout fails the attempt (502) rather than forward an unrewritten path.
/// The client's query string is kept; X-Forwarded-Host keeps the client's host.
/// </summary>
public sealed class RequestRewrite
{
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly string? _host;
    private readonly string? _fullPath;
    private readonly PathPrefix? _prefix;
    private readonly Regex? _regex;
    private readonly string _substitution = "";

    private RequestRewrite(RouteSnapshot route, RewriteSnapshot rewrite)
    {
        _host = rewrite.Host;
        _fullPath = rewrite.Path;
        if (rewrite.PathPrefix is { } prefix && route.Match.PathKind == PathMatchKind.Prefix) _prefix = new PathPrefix(route.Match.Path, prefix);
        if (rewrite.PathRegex is { } pattern)
        {
            _regex = new Regex(pattern, Regexes.Options, RegexTimeout);
            _substitution = rewrite.PathSubstitution ?? "";
        }
    }

    /// <summary>The rewrite of a route, or null when it has none (those routes pay nothing).</summary>
    public static RequestRewrite? Create(RouteSnapshot route) =>
        route.Rewrite is { } rewrite && (rewrite.Host is not null || rewrite.Path is not null || rewrite.PathPrefix is not null || rewrite.PathRegex is not null)
            ? new RequestRewrite(route, rewrite)
            : null;

    /// <summary>The path the backend sees for <paramref name="path"/>.</summary>
    public string RewritePath(string path)
    {
        if (_fullPath is not null) return _fullPath;
        if (_prefix is { } prefix) return prefix.Apply(path);
        if (_regex is { } regex)
        {
            var rewritten = regex.Replace(path, _substitution);
            return rewritten.StartsWith('/') ? rewritten : "/" + rewritten;
        }
        return path;
    }

    public void Apply(HttpContext context, HttpRequestMessage proxyRequest, string destinationPrefix)
    {
        if (_host is not null) proxyRequest.Headers.Host = _host;
        if (_fullPath is null && _prefix is null && _regex is null) return;
        var request = context.Request;
        var path = RewritePath(request.Path.Value ?? "/");
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), request.QueryString);
    }
}
