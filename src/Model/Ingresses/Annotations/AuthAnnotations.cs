using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>External authentication (auth-url) and basic auth from a Secret.</summary>
internal static class AuthAnnotations
{
    public static void Read(AnnotationReader a, IngressSettings s, string ingressNamespace)
    {
        AuthSpec? auth = null;
        if (a.String("auth-url") is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                a.Invalid("auth-url", $"\"{url}\" is not an absolute http or https URL");
            else if (url.Contains('$'))
                a.Unsupported("auth-url", "nginx variables in the URL are not expanded by Ballast");
            else
            {
                var headers = a.List("auth-response-headers");
                auth = new AuthSpec { External = new ExternalAuthSpec { Url = url, ResponseHeaders = headers } };
                a.Approximated("auth-url", "auth.external: 2xx admits; any other answer goes to the client with its status (ingress-nginx turns answers other than 401/403 into 500); the auth service gets X-Forwarded-Method/-Uri/-Host (ingress-nginx sends X-Original-URL/-Method)");
                if (headers is not null) a.Mapped("auth-response-headers", $"auth.external.responseHeaders: {string.Join(", ", headers)}");
            }
        }
        else if (a.Has("auth-response-headers")) a.Unsupported("auth-response-headers", "has no effect without auth-url");
        foreach (var n in new[] { "auth-signin", "auth-method", "auth-cache-key", "auth-cache-duration", "auth-snippet", "auth-request-redirect", "auth-keepalive", "auth-proxy-set-headers", "auth-always-set-cookie" })
            if (a.Has(n)) a.Unsupported(n, n == "auth-snippet" ? "snippets are never executed by Ballast" : "Ballast's external auth has no such option");

        switch (a.OneOf("auth-type", "basic", "digest"))
        {
            case "digest":
                a.Unsupported("auth-type", "digest authentication is not supported (basic is)");
                break;
            case "basic":
                var secret = a.String("auth-secret");
                if (secret is null) { a.Invalid("auth-type", "auth-type basic needs auth-secret"); break; }
                var slash = secret.IndexOf('/');
                if (slash >= 0 && secret[..slash] != ingressNamespace)
                {
                    a.Unsupported("auth-secret", $"the Secret must be in the Ingress's namespace \"{ingressNamespace}\"");
                    a.Unsupported("auth-type", "its Secret is in another namespace");
                    break;
                }
                if (a.OneOf("auth-secret-type", "auth-file", "auth-map") == "auth-map")
                {
                    a.Unsupported("auth-secret-type", "auth-map Secrets (one key per user) are not supported: use auth-file (an htpasswd under the key \"auth\")");
                    a.Unsupported("auth-type", "its Secret is an auth-map");
                    break;
                }
                if (a.Has("auth-secret-type")) a.Mapped("auth-secret-type", "htpasswd under the key \"auth\"");
                var name = slash >= 0 ? secret[(slash + 1)..] : secret;
                (auth ??= new AuthSpec()).Basic = new BasicAuthSpec { SecretRef = name, Realm = a.String("auth-realm") };
                a.Approximated("auth-type", "auth.basic: only bcrypt entries ($2y$) of the htpasswd are accepted (ingress-nginx also takes MD5 and SHA1)");
                a.Mapped("auth-secret", $"auth.basic.secretRef: {name}");
                if (a.Has("auth-realm")) a.Mapped("auth-realm", $"auth.basic.realm: {a.String("auth-realm")}");
                break;
            default:
                foreach (var n in new[] { "auth-secret", "auth-realm", "auth-secret-type" })
                    if (a.Has(n)) a.Unsupported(n, "has no effect without auth-type");
                break;
        }
        if (auth?.Basic is not null && auth.External is not null)
            a.Approximated("auth-url", "both basic and external auth are demanded (ingress-nginx would use one)");
        s.Auth = auth;
    }
}
