using System.Globalization;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// A route's CORS. A preflight (<c>OPTIONS</c> with <c>Origin</c> and <c>Access-Control-Request-Method</c>) is
/// answered here with 204 and never reaches a backend: with the allow headers when the origin is allowed, without
/// them otherwise (the browser then refuses the request). A response to an allowed origin gets
/// <c>Access-Control-Allow-Origin</c> (and the credential and expose headers), replacing any the backend sent.
/// </summary>
public sealed class CorsResponder
{
    private readonly CorsSnapshot _config;
    private readonly StringValues _maxAge;

    private CorsResponder(CorsSnapshot config)
    {
        _config = config;
        _maxAge = config.MaxAgeSeconds is { } s ? s.ToString(CultureInfo.InvariantCulture) : StringValues.Empty;
    }

    public static CorsResponder? Create(CorsSnapshot? config) => config is null ? null : new CorsResponder(config);

    /// <summary>The 204 answer to a preflight; null for any other request.</summary>
    public Task? TryAnswerPreflight(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsOptions(request.Method)) return null;
        var origin = request.Headers.Origin;
        if (origin.Count != 1 || request.Headers.AccessControlRequestMethod.Count == 0) return null;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        if (AllowOrigin(context, origin[0]!))
        {
            response.Headers.AccessControlAllowMethods = _config.AllowMethods;
            if (_config.AllowHeaders is { } headers) response.Headers.AccessControlAllowHeaders = headers;
            else if (request.Headers.AccessControlRequestHeaders.Count > 0) response.Headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
            if (_maxAge.Count > 0) response.Headers.AccessControlMaxAge = _maxAge;
        }
        response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>Puts the CORS headers on a response to an allowed origin (called once the backend's headers are copied).</summary>
    public void AddResponseHeaders(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count != 1) return;
        if (AllowOrigin(context, origin[0]!) && _config.ExposeHeaders is { } expose)
            context.Response.Headers.AccessControlExposeHeaders = expose;
    }

    /// <summary>Sets Access-Control-Allow-Origin (and -Credentials) when the origin is allowed; false when it is not.</summary>
    private bool AllowOrigin(HttpContext context, string origin)
    {
        var headers = context.Response.Headers;
        if (!Allowed(origin))
        {
            headers.Remove("Access-Control-Allow-Origin");
            return false;
        }
        // "*" cannot carry credentials: the browser needs its own origin back then, and caches must key on it.
        if (_config.AnyOrigin && !_config.AllowCredentials) headers.AccessControlAllowOrigin = "*";
        else
        {
            headers.AccessControlAllowOrigin = origin;
            headers.Append("Vary", "Origin");
        }
        if (_config.AllowCredentials) headers.AccessControlAllowCredentials = "true";
        return true;
    }

    private bool Allowed(string origin)
    {
        if (_config.AnyOrigin) return true;
        foreach (var o in _config.Origins)
            if (string.Equals(o, origin, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var suffix in _config.OriginSuffixes)
        {
            // (scheme)://.domain: the origin's scheme must match and its host must end in .domain with a label before it.
            var dot = suffix.IndexOf("://", StringComparison.Ordinal) + 3;
            if (origin.Length > suffix.Length - 1 + 1
                && origin.StartsWith(suffix.AsSpan(0, dot), StringComparison.OrdinalIgnoreCase)
                && origin.EndsWith(suffix.AsSpan(dot), StringComparison.OrdinalIgnoreCase)
                && origin.Length - (suffix.Length - dot) > dot)
                return true;
        }
        return false;
    }
}
