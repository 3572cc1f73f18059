using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.Tls;

/// <summary>
/// What TLS adds to request handling, ahead of routing: ACME HTTP-01 challenge answers and the HTTP→HTTPS
/// redirect on HTTP listeners, and the Strict-Transport-Security header on HTTPS listeners. Built per snapshot,
/// read with one volatile load per request; a request that none of it concerns costs two dictionary lookups.
/// </summary>
public sealed class HttpsEdge
{
    public const string ChallengePrefix = "/.well-known/acme-challenge/";

    private volatile EdgeState _state = EdgeState.Empty;

    public void Apply(Snapshot snapshot)
    {
        var hsts = new Dictionary<int, StringValues>();
        var redirects = new List<RedirectRule>();
        var httpsPorts = new HashSet<int>();
        foreach (var listener in snapshot.Listeners)
        {
            if (listener.Kind != ListenerKind.Https || listener.Tls is not { } tls) continue;
            httpsPorts.Add(listener.Port);
            if (tls.Hsts is { } maxAge)
                hsts.TryAdd(listener.Port, new StringValues("max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
            // The port clients reach it on: in a cluster the ingress Service's (443), not the container's (8443).
            if (tls.RedirectHttp) redirects.Add(new RedirectRule(listener.PublicPort ?? listener.Port, [.. tls.Hostnames]));
        }
        _state = new EdgeState(
            hsts.ToFrozenDictionary(),
            [.. redirects],
            httpsPorts.ToFrozenSet(),
            snapshot.AcmeChallenges.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Answers the request here (a challenge or a redirect) and returns the write; null: route it as usual.</summary>
    public Task? TryAnswer(HttpContext context)
    {
        var state = _state;
        var port = context.Connection.LocalPort;
        if (state.HttpsPorts.Contains(port))
        {
            if (state.Hsts.TryGetValue(port, out var value)) context.Response.Headers.StrictTransportSecurity = value;
            return null;
        }
        var path = context.Request.Path.Value;
        if (path is not null && path.StartsWith(ChallengePrefix, StringComparison.Ordinal))
        {
            // Answered here, before routing and redirect, even where no route exists: the CA's validation must
            // reach every replica on port 80. An unknown token is a 404 from us, never a backend's answer (a
            // backend must not be able to answer a challenge for a name the ingress holds).
            if (state.Challenges.TryGetValue(path[ChallengePrefix.Length..], out var keyAuthorization))
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/octet-stream";
                var body = Encoding.ASCII.GetBytes(keyAuthorization);
                context.Response.ContentLength = body.Length;
                return context.Response.Body.WriteAsync(body, 0, body.Length);
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }
        if (state.Redirects.Length > 0)
        {
            var host = context.Request.Host.Host.ToLowerInvariant();
            foreach (var rule in state.Redirects)
            {
                if (!rule.Covers(host)) continue;
                var portPart = rule.HttpsPort == 443 ? "" : ":" + rule.HttpsPort.ToString(CultureInfo.InvariantCulture);
                var hostPart = host.Contains(':') ? "[" + host + "]" : host;
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = "https://" + hostPart + portPart + context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                context.Response.ContentLength = 0;
                return Task.CompletedTask;
            }
        }
        return null;
    }

    private sealed record RedirectRule(int HttpsPort, string[] Hostnames)
    {
        /// <summary>Exact names, or a "*." wildcard for one or more labels (as route host matching does); no names: every host.</summary>
        public bool Covers(string host)
        {
            if (Hostnames.Length == 0) return true;
            foreach (var name in Hostnames)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal) ? host.EndsWith(name.AsSpan(1), StringComparison.Ordinal) && host.Length > name.Length - 1 : host == name)
                    return true;
            }
            return false;
        }
    }

    private sealed record EdgeState(
        FrozenDictionary<int, StringValues> Hsts,
        RedirectRule[] Redirects,
        FrozenSet<int> HttpsPorts,
        FrozenDictionary<string, string> Challenges)
    {
        public static readonly EdgeState Empty = new(
            FrozenDictionary<int, StringValues>.Empty, [], FrozenSet<int>.Empty, FrozenDictionary<string, string>.Empty);
    }
}
