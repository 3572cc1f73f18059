using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary><c>enable-cors</c> and its <c>cors-*</c> family, with ingress-nginx's defaults written out.</summary>
internal static class CorsAnnotations
{
    public static readonly string[] DefaultMethods = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"];
    public static readonly string[] DefaultHeaders = ["DNT", "Keep-Alive", "User-Agent", "X-Requested-With", "If-Modified-Since", "Cache-Control", "Content-Type", "Range", "Authorization"];
    public static readonly Duration DefaultMaxAge = Duration.FromSeconds(1728000);

    public static void Read(AnnotationReader a, IngressSettings s)
    {
        string[] family = ["cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-expose-headers", "cors-allow-credentials", "cors-max-age"];
        if (a.Bool("enable-cors") != true)
        {
            if (a.Has("enable-cors")) a.Mapped("enable-cors", "no CORS");
            foreach (var n in family) if (a.Has(n)) a.Unsupported(n, "has no effect without enable-cors: \"true\"");
            return;
        }
        var origins = a.List("cors-allow-origin") ?? ["*"];
        foreach (var o in origins)
            if (o != "*" && !(Uri.TryCreate(o.Replace("*.", "wildcard."), UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.AbsolutePath == "/"))
            {
                a.Invalid("cors-allow-origin", $"\"{o}\" is not an origin (scheme://host[:port], or *)");
                return;
            }
        var maxAge = a.Seconds("cors-max-age");
        var credentials = a.Bool("cors-allow-credentials");
        s.Cors = new CorsSpec
        {
            AllowOrigins = origins,
            AllowMethods = a.List("cors-allow-methods") ?? [.. DefaultMethods],
            AllowHeaders = a.List("cors-allow-headers") ?? [.. DefaultHeaders],
            ExposeHeaders = a.List("cors-expose-headers"),
            AllowCredentials = credentials ?? true,
            MaxAge = maxAge ?? DefaultMaxAge,
        };
        a.Approximated("enable-cors", "route cors: preflights (OPTIONS with Origin and Access-Control-Request-Method) answered 204 by Ballast, CORS headers on responses to allowed origins; a plain OPTIONS goes to the backend (ingress-nginx answers every OPTIONS)");
        foreach (var n in family) a.Mapped(n, $"cors.{Field(n)}");
    }

    private static string Field(string annotation) => annotation switch
    {
        "cors-allow-origin" => "allowOrigins",
        "cors-allow-methods" => "allowMethods",
        "cors-allow-headers" => "allowHeaders",
        "cors-expose-headers" => "exposeHeaders",
        "cors-allow-credentials" => "allowCredentials",
        _ => "maxAge",
    };
}
