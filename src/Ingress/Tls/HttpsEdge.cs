using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.Tls;

/// <summary>
/// What TLS adds to request handling, ahead of routing: ACME HTTP-01 challenge answers and the HTTP→HTTPS
/// redirect on HTTP listeners, and on HTTPS listeners the Strict-Transport-Security header and 421 for a request whose
/// Host belongs to another Gateway listener than its SNI. Built per snapshot, read with one volatile load per request;
/// a request that none of it concerns costs two dictionary lookups.
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
        var sniListeners = new Dictionary<int, string[]>();
        foreach (var listener in snapshot.Listeners)
        {
            if (listener.Kind != ListenerKind.Https || listener.Tls is not { } tls) continue;
            httpsPorts.Add(listener.Port);
            if (tls.Hsts is { } maxAge)
                hsts.TryAdd(listener.Port, new StringValues("max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
            // The port clients reach it on: in a cluster the ingress Service's (443), not the container's (8443).
            if (tls.RedirectHttp) redirects.Add(new RedirectRule(listener.PublicPort ?? listener.Port, [.. tls.Hostnames]));
            if (!tls.SniListeners.IsEmpty) sniListeners.TryAdd(listener.Port, [.. tls.SniListeners]);
        }
        _state = new EdgeState(
            hsts.ToFrozenDictionary(),
            [.. redirects],
            httpsPorts.ToFrozenSet(),
            sniListeners.ToFrozenDictionary(),
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
            if (state.SniListeners.TryGetValue(port, out var listeners) && Misdirected(context, listeners))
            {
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                context.Response.ContentLength = 0;
                return Task.CompletedTask;
            }
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

    /// <summary>
    /// The request's Host belongs to another of the port's listeners than its SNI (Gateway API): the client reused a
    /// connection made for another listener's host. Without SNI, or with a Host no listener takes (routing answers 404
    /// for it), it is not misdirected.
    /// </summary>
    private static bool Misdirected(HttpContext context, string[] listeners)
    {
        var sni = context.Features.Get<ITlsHandshakeFeature>()?.HostName;
        if (string.IsNullOrEmpty(sni)) return false;
        var byHost = ListenerOf(listeners, context.Request.Host.Host.ToLowerInvariant());
        return byHost is not null && byHost != ListenerOf(listeners, sni.ToLowerInvariant());
    }

    /// <summary>The listener a name belongs to: its exact hostname, else the longest wildcard covering it, else the one without hostname.</summary>
    private static string? ListenerOf(string[] listeners, string name)
    {
        string? best = null;
        foreach (var hostname in listeners)
        {
            if (hostname == name) return hostname;
            if (hostname.StartsWith("*.", StringComparison.Ordinal) && name.Length > hostname.Length - 1
                && name.EndsWith(hostname.AsSpan(1), StringComparison.Ordinal) && (best is null || best.Length < hostname.Length))
                best = hostname;
        }
        return best ?? (listeners.Contains("") ? "" : null);
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
        FrozenDictionary<int, string[]> SniListeners,
        FrozenDictionary<string, string> Challenges)
    {
        public static readonly EdgeState Empty = new(
            FrozenDictionary<int, StringValues>.Empty, [], FrozenSet<int>.Empty, FrozenDictionary<int, string[]>.Empty, FrozenDictionary<string, string>.Empty);
    }
}
