namespace Ballast.Model.Ingresses.Annotations;

/// <summary>
/// <c>mirror-target</c>, <c>mirror-request-body</c> and <c>mirror-host</c>: ingress-nginx copies every request of the
/// Ingress to a URL (<c>http://shadow.shop.svc.cluster.local$request_uri</c>). Ballast copies to a pool: a URL whose
/// host is a Service of the Ingress's namespace in cluster DNS form becomes that Service's pool; any other host (an
/// external name, an address, a Service elsewhere) a pool with that one address. What cannot be carried over is said:
/// Ballast's copy is fire and forget (nginx's holds the request up while the mirror is slow), carries the path and Host
/// the backend gets (nginx: <c>$request_uri</c> and the URL's host), and carries a body only when it is small.
/// </summary>
internal static class MirrorAnnotations
{
    private const string Variable = "$request_uri";

    public static void Read(AnnotationReader a, IngressSettings s, string ns)
    {
        var body = ReadBody(a);
        if (a.Has("mirror-host"))
            a.Unsupported("mirror-host", "a copy carries the Host the backend gets (the request's, or upstream-vhost): Ballast sets no Host for copies alone");
        if (a.String("mirror-target") is not { } target)
        {
            if (body is not null) a.Unsupported("mirror-request-body", "has no effect without mirror-target");
            return;
        }
        if (Parse(target, ns, out var error) is not { } parsed)
        {
            if (error.Length > 0) a.Invalid("mirror-target", error);
            else a.Unsupported("mirror-target", $"\"{target}\": the host is an nginx variable; Ballast copies to a fixed Service or address");
            if (body is not null) a.Unsupported("mirror-request-body", "no copies are sent: mirror-target is not applied");
            return;
        }
        s.Mirror = parsed.Target;
        var where = parsed.Target.Service is { } svc ? $"Service {svc} port {parsed.Target.Port}" : $"address {parsed.Target.Address}:{parsed.Target.Port}";
        var notes = new List<string>
        {
            $"mirrors: every request of the Ingress is copied to {where}{(parsed.Target.Tls ? " over TLS (unverified, as proxy_pass https://)" : "")}",
            "fire and forget (nginx holds the request until the mirror answers)",
            "the copy carries the path and Host the backend gets"
                + (parsed.KeepsRequestUri ? " (nginx: $request_uri, before rewrite-target, and the URL's host)" : $" (nginx: the URL's path \"{parsed.Path}\" and host)"),
        };
        if (parsed.Target.Service is null && parsed.ClusterName)
            notes.Add("a Service of another namespace is reached by its DNS name, one address, not through its endpoints");
        a.Approximated("mirror-target", string.Join("; ", notes));
        if (body == true)
            a.Approximated("mirror-request-body", "bodies up to 64 KiB with a Content-Length are copied; a request with a larger or chunked body is not copied at all");
        else if (body == false)
            a.Approximated("mirror-request-body", "Ballast cannot send a copy without its body: small bodies (up to 64 KiB with a Content-Length) are still copied, larger ones are not");
    }

    /// <summary>on/off (nginx's words) or true/false; null when absent or malformed (then it is reported invalid).</summary>
    private static bool? ReadBody(AnnotationReader a)
    {
        if (a.String("mirror-request-body") is not { } v) return null;
        switch (v.ToLowerInvariant())
        {
            case "on" or "true": return true;
            case "off" or "false": return false;
            default:
                a.Invalid("mirror-request-body", $"\"{v}\" is not on or off");
                return null;
        }
    }

    private sealed record Parsed(MirrorTarget Target, string Path, bool KeepsRequestUri, bool ClusterName);

    /// <summary>The URL → where copies go; null with an error when malformed, or with none when the host is a variable.</summary>
    private static Parsed? Parse(string url, string ns, out string error)
    {
        error = "";
        var tls = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!tls && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            error = $"\"{url}\" is not an http:// or https:// URL";
            return null;
        }
        var rest = url[(tls ? 8 : 7)..];
        var end = rest.IndexOfAny(['/', '$', '?']);
        var authority = end < 0 ? rest : rest[..end];
        var path = end < 0 ? "" : rest[end..];
        if (authority.Length == 0 && path.StartsWith('$')) return null;
        if (!Uri.TryCreate($"{(tls ? "https" : "http")}://{authority}/", UriKind.Absolute, out var uri) || authority.Length == 0 || authority.Contains('@'))
        {
            error = $"\"{url}\": \"{authority}\" is not a host with an optional port";
            return null;
        }
        var host = uri.IdnHost.ToLowerInvariant();
        var labels = host.Split('.');
        var clusterName = labels.Length == 1 || (labels.Length >= 3 && labels[2] == "svc" && (labels.Length == 3 || string.Join('.', labels[3..]) == "cluster.local"))
            || (labels.Length == 2 && labels[1] == ns);
        var service = clusterName && uri.HostNameType == UriHostNameType.Dns && host != "localhost" && (labels.Length == 1 || labels[1] == ns) ? labels[0] : null;
        var keeps = path.Contains(Variable, StringComparison.Ordinal);
        return new Parsed(new MirrorTarget(service, service is null ? host : null, uri.Port, tls), path.Length == 0 ? "/" : path, keeps, clusterName && service is null && labels.Length > 1);
    }
}
