namespace Ballast.Model.Ingresses.Annotations;

/// <summary>
/// <c>canary: "true"</c> makes an Ingress the canary of the Ingress that serves the same host and path: it gets
/// no routes of its own; its pool joins the main route (weighted split, header or cookie override).
/// </summary>
internal static class CanaryAnnotations
{
    /// <summary>Annotations ingress-nginx still honours on a canary Ingress (they shape the canary's own pool).</summary>
    public static readonly string[] HonouredOnCanary =
        ["backend-protocol", "load-balance", "upstream-hash-by", "affinity", "affinity-mode", "session-cookie-name", "session-cookie-path",
         "session-cookie-max-age", "session-cookie-expires", "session-cookie-samesite", "session-cookie-secure", "session-cookie-domain",
         "proxy-connect-timeout"];

    public static void Read(AnnotationReader a, IngressSettings s)
    {
        string[] family = ["canary-weight", "canary-weight-total", "canary-by-header", "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie"];
        if (a.Bool("canary") != true)
        {
            if (a.Has("canary")) a.Mapped("canary", "not a canary");
            foreach (var n in family) if (a.Has(n)) a.Unsupported(n, "has no effect without canary: \"true\"");
            return;
        }
        var c = new CanarySettings
        {
            WeightTotal = a.Int("canary-weight-total", 1, 1000) ?? 100,
        };
        c.Weight = a.Int("canary-weight", 0, c.WeightTotal);
        c.Header = a.String("canary-by-header");
        c.HeaderValue = a.String("canary-by-header-value");
        c.HeaderPattern = a.String("canary-by-header-pattern");
        c.Cookie = a.String("canary-by-cookie");
        if (c.Header is { } h && !IsToken(h)) a.Invalid("canary-by-header", $"\"{h}\" is not a header name");
        if (c.Cookie is { } k && !IsToken(k)) a.Invalid("canary-by-cookie", $"\"{k}\" is not a cookie name");
        if (c.HeaderPattern is not null && c.HeaderValue is not null)
            a.Unsupported("canary-by-header-pattern", "ignored: canary-by-header-value is set and wins, as in ingress-nginx");
        s.Canary = c;

        a.Mapped("canary", "this Ingress's pool joins the route of the main Ingress with the same host and path");
        if (c.Weight is { } w) a.Mapped("canary-weight", $"weighted split: canary {w}, main {c.WeightTotal - w}");
        if (a.Has("canary-weight-total")) a.Mapped("canary-weight-total", $"weights out of {c.WeightTotal}");
        if (c.Header is not null)
        {
            if (c.HeaderValue is not null)
            {
                a.Mapped("canary-by-header", $"canary.header {c.Header}");
                a.Mapped("canary-by-header-value", $"canary.header value \"{c.HeaderValue}\"");
            }
            else if (c.HeaderPattern is not null)
            {
                a.Mapped("canary-by-header", $"a route matching header {c.Header} by regex goes to the canary");
                a.Mapped("canary-by-header-pattern", $"match.headers regex \"{c.HeaderPattern}\"");
            }
            else a.Mapped("canary-by-header", $"\"{c.Header}: always\" goes to the canary, \"{c.Header}: never\" to the main pool only");
        }
        else
        {
            if (c.HeaderValue is not null) a.Unsupported("canary-by-header-value", "has no effect without canary-by-header");
            if (c.HeaderPattern is not null) a.Unsupported("canary-by-header-pattern", "has no effect without canary-by-header");
        }
        if (c.Cookie is not null)
            a.Approximated("canary-by-cookie", $"\"{c.Cookie}=always\" goes to the canary; \"never\" follows the weighted split (Ballast's canary cookie has no never)");
    }

    /// <summary>On a canary Ingress every other annotation is the main Ingress's business, as in ingress-nginx.</summary>
    public static void IgnoreOthersOnCanary(AnnotationReader a, IReadOnlyDictionary<string, string>? annotations)
    {
        foreach (var name in annotations?.Keys ?? [])
        {
            if (!name.StartsWith(AnnotationReader.Prefix, StringComparison.Ordinal)) continue;
            var shortName = name[AnnotationReader.Prefix.Length..];
            if (shortName.StartsWith("canary", StringComparison.Ordinal) || HonouredOnCanary.Contains(shortName)) continue;
            a.Mapped(shortName, "ignored on a canary Ingress: the main Ingress's annotations apply, as in ingress-nginx");
        }
    }

    private static bool IsToken(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
