using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>Annotations that change which path reaches the backend, or answer with a redirect.</summary>
internal static class PathAnnotations
{
    public static void Read(AnnotationReader a, IngressSettings s)
    {
        if (a.Bool("use-regex") is { } regex)
        {
            s.UseRegex = regex;
            a.Approximated("use-regex", "the paths of this Ingress are case-insensitive regexes anchored at the start (ingress-nginx applies it to every Ingress of the same host)");
        }
        if (a.String("rewrite-target") is { } target)
        {
            if (target.Length == 0 || target.Any(c => c is <= ' ' or >= '\x7f' or '#'))
                a.Invalid("rewrite-target", $"\"{target}\" is not a path (printable characters without spaces or '#')");
            else if (target.Contains('?'))
                a.Unsupported("rewrite-target", "a query string in the target is not supported: Ballast rewrites the path and keeps the request's query");
            else
            {
                s.RewriteTarget = target;
                a.Mapped("rewrite-target", $"rewrite.pathRegex: the whole path is replaced by \"{target}\" (capture groups of the path regex as $1, $2 …)");
            }
        }
        if (a.Bool("ssl-redirect") is { } ssl)
        {
            s.SslRedirect = ssl;
            a.Mapped("ssl-redirect", ssl ? "308 from HTTP to HTTPS for the hosts with TLS" : "no redirect to HTTPS");
        }
        if (a.Bool("force-ssl-redirect") is { } force)
        {
            s.ForceSslRedirect = force;
            a.Mapped("force-ssl-redirect", force ? "308 from HTTP to HTTPS for every host of the Ingress, with or without TLS" : "no forced redirect");
        }
        if (a.String("app-root") is { } root)
        {
            if (!root.StartsWith('/') || root.Any(c => c is <= ' ' or >= '\x7f' or '?' or '#'))
                a.Invalid("app-root", $"\"{root}\" is not a path starting with \"/\"");
            else
            {
                s.AppRoot = root;
                a.Mapped("app-root", $"a route for exactly \"/\" answers 302 to \"{root}\"");
            }
        }
        Redirect(a, s, "permanent-redirect", "permanent-redirect-code", 301);
        Redirect(a, s, "temporal-redirect", "temporal-redirect-code", 302);
        if (a.String("x-forwarded-prefix") is { } prefix)
        {
            if (prefix.Any(c => c < ' ' || c == '\x7f')) a.Invalid("x-forwarded-prefix", "header values must not contain control characters");
            else
            {
                (s.SetRequestHeaders ??= new(StringComparer.Ordinal))["X-Forwarded-Prefix"] = prefix;
                a.Mapped("x-forwarded-prefix", $"requestHeaders.set X-Forwarded-Prefix: {prefix}");
            }
        }
        if (a.String("upstream-vhost") is { } vhost)
        {
            if (vhost.Length == 0 || vhost.Any(c => c is <= ' ' or >= '\x7f' or '/'))
                a.Invalid("upstream-vhost", $"\"{vhost}\" is not a host name");
            else
            {
                s.UpstreamHost = vhost;
                a.Mapped("upstream-vhost", $"rewrite.host: {vhost}");
            }
        }
    }

    private static void Redirect(AnnotationReader a, IngressSettings s, string name, string codeName, int defaultCode)
    {
        var code = a.Int(codeName, 300, 308);
        if (a.String(name) is not { } url)
        {
            if (a.Has(codeName)) a.Unsupported(codeName, $"has no effect without {name}");
            return;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            a.Invalid(name, $"\"{url}\" is not an absolute http or https URL");
            return;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            a.Unsupported(name, "a query or fragment in the target URL is not supported by Ballast's redirect");
            return;
        }
        if (code is { } c && c is not (301 or 302 or 303 or 307 or 308))
        {
            a.Invalid(codeName, $"{c} is not a redirect status (301, 302, 303, 307 or 308)");
            return;
        }
        s.Redirect = new RedirectSpec
        {
            Scheme = uri.Scheme,
            Host = uri.Host,
            Port = uri.IsDefaultPort ? null : uri.Port,
            Path = uri.AbsolutePath,
            StatusCode = code ?? defaultCode,
        };
        a.Approximated(name, $"redirect {code ?? defaultCode} to {uri.Scheme}://{uri.Authority}{uri.AbsolutePath}; the request's query string is kept (ingress-nginx drops it)");
        if (code is not null) a.Mapped(codeName, $"redirect.statusCode: {code}");
    }
}
