using System.Text.RegularExpressions;
using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>One Ingress that is not a canary → its policy (listeners, routes) and pools.</summary>
internal sealed class IngressBuilder(Ingress ingress, IngressSettings s, IngressTranslator.State state, List<IngressProblem> problems)
{
    private const string Http = "http";
    private const string Https = "https";
    private readonly string _ns = ingress.NamespaceOrDefault;
    private readonly string _name = state.Options.NamePrefix + ingress.Metadata.Name;
    private readonly List<string> _tlsHosts = [];
    private bool _hasHttps;
    private bool _mirrorChecked;

    public void Build()
    {
        var policy = new LoadBalancerPolicy
        {
            Metadata = PoolNaming.GeneratedMetadata(ingress, _name),
            Source = ingress.Source,
            Spec = new LoadBalancerPolicySpec { Listeners = [new ListenerSpec { Name = Http, Port = state.Options.HttpPort, Protocol = ListenerProtocol.HTTP }], Routes = [] },
        };
        var certificates = Tls();
        if (certificates.Count > 0)
        {
            _hasHttps = true;
            policy.Spec.Listeners.Add(new ListenerSpec
            {
                Name = Https,
                Port = state.Options.HttpsPort,
                Protocol = ListenerProtocol.HTTPS,
                Tls = new ListenerTlsSpec { Certificates = certificates },
            });
        }
        var routes = policy.Spec.Routes!;
        var rules = ingress.Spec.Rules ?? [];
        var hosts = new List<string?>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var field = FieldPath.Spec.Field("rules").Index(i);
            var host = Host(rule.Host, field.Field("host"));
            if (!hosts.Contains(host)) hosts.Add(host);
            var paths = rule.Http?.Paths ?? [];
            for (var j = 0; j < paths.Count; j++)
            {
                var pf = field.Field("http").Field("paths").Index(j);
                var match = Match(host, paths[j], pf);
                if (match is null) continue;
                var route = Route($"rule{i}-path{j}", match, paths[j].Backend, pf.Field("backend"), paths[j].Path is { Length: > 0 } p ? p : "/");
                if (route is null) continue;
                Place(routes, route, host);
                var key = (_ns, host ?? "", paths[j].Path is { Length: > 0 } raw ? raw : "/");
                if (route.Backends is [{ } only] && !state.MainRoutes.ContainsKey(key))
                    state.MainRoutes[key] = (policy, route, only.Pool);
            }
        }
        if (ingress.Spec.DefaultBackend is { } fallback
            && Route("default-backend", null, fallback, FieldPath.Spec.Field("defaultBackend"), "/") is { } defaultRoute)
            Place(routes, defaultRoute, host: null);
        if (rules.Count == 0 && ingress.Spec.DefaultBackend is null)
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", "spec", "an Ingress needs rules or a defaultBackend"));
        if (s.AppRoot is { } root)
            for (var h = 0; h < hosts.Count; h++)
                Place(routes, new HttpRouteSpec
                {
                    Name = $"app-root{h}",
                    Match = new RouteMatchSpec { Hosts = hosts[h] is { } hn ? [hn] : null, Path = "/" },
                    Redirect = new RedirectSpec { Path = root, StatusCode = 302 },
                }, hosts[h]);

        state.Origins[$"{_ns}/{_name}"] = ingress.Key;
        state.Policies.Add(policy);
        if (problems.Any(p => p.Kind == IngressProblemKind.Invalid)) state.Dropped.Add(_name + "@" + _ns);
    }

    /// <summary>The Secrets of spec.tls as certificates; a missing one is reported and left out (its hosts then have no certificate of their own).</summary>
    private List<CertificateReference> Tls()
    {
        var result = new List<CertificateReference>();
        var tls = ingress.Spec.Tls ?? [];
        for (var i = 0; i < tls.Count; i++)
        {
            var field = FieldPath.Spec.Field("tls").Index(i);
            foreach (var h in tls[i].Hosts ?? []) _tlsHosts.Add(h.ToLowerInvariant());
            if (tls[i].SecretName is not { Length: > 0 } secret)
            {
                problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Reference, "SecretNotFound", field.Field("secretName").Value,
                    "no secretName: Ballast has no default certificate, so these hosts are served on the HTTP port only", Severity.Warning));
                continue;
            }
            if (state.Options.Secrets is { } secrets && !secrets.ContainsKey($"{_ns}/{secret}"))
            {
                problems.Add(IngressTranslator.Missing(ingress, state.Options, "SecretNotFound", field.Field("secretName").Value,
                    $"Secret \"{secret}\" not found in namespace \"{_ns}\""));
                continue;
            }
            if (!result.Any(c => c.SecretRef == secret)) result.Add(new CertificateReference { SecretRef = secret });
        }
        return result;
    }

    /// <summary>A route goes on both ports, or, where HTTP is redirected to HTTPS, on HTTPS with a redirect route on HTTP.</summary>
    private void Place(List<HttpRouteSpec> routes, HttpRouteSpec route, string? host)
    {
        var redirect = s.ForceSslRedirect || (_hasHttps && (s.SslRedirect ?? true) && host is not null && CoveredByTls(host));
        if (!redirect)
        {
            route.Listeners = _hasHttps ? [Http, Https] : [Http];
            routes.Add(route);
            return;
        }
        routes.Add(new HttpRouteSpec
        {
            Name = route.Name + "-to-https",
            Listeners = [Http],
            Match = route.Match,
            Redirect = new RedirectSpec { Scheme = "https", StatusCode = 308 },
        });
        if (!_hasHttps) return;
        route.Listeners = [Https];
        routes.Add(route);
    }

    private bool CoveredByTls(string host) =>
        _tlsHosts.Any(t => t == host || (t.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(t[1..], StringComparison.Ordinal)));

    private string? Host(string? host, FieldPath field)
    {
        if (string.IsNullOrEmpty(host)) return null;
        var normalized = Names.NormalizeHost(host, allowWildcard: true);
        if (normalized is null)
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", field.Value, $"\"{host}\" is not a valid host name"));
        return normalized ?? host;
    }

    /// <summary>Exact → exact; Prefix → segment prefix; ImplementationSpecific → segment prefix. With use-regex or rewrite-target, the non-Exact paths are case-insensitive regexes anchored at the start, as in ingress-nginx.</summary>
    private RouteMatchSpec? Match(string? host, HttpIngressPath p, FieldPath field)
    {
        var path = p.Path is { Length: > 0 } given ? given : "/";
        var hosts = host is null ? null : new List<string> { host };
        if (!path.StartsWith('/'))
        {
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", field.Field("path").Value, $"must start with \"/\", got \"{path}\""));
            return null;
        }
        var regexMode = s.UseRegex || s.RewriteTarget is not null;
        switch (p.PathType)
        {
            case "Exact":
                return new RouteMatchSpec { Hosts = hosts, Path = path };
            case "Prefix" or "ImplementationSpecific" when regexMode:
                if (!IsRegex(path, out var error))
                {
                    problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", field.Field("path").Value, $"invalid regular expression: {error}"));
                    return null;
                }
                return new RouteMatchSpec { Hosts = hosts, PathRegex = PathRegex(path) + ".*" };
            case "Prefix" or "ImplementationSpecific":
                return new RouteMatchSpec { Hosts = hosts, PathPrefix = path.Length > 1 ? path.TrimEnd('/') is { Length: > 0 } t ? t : "/" : path };
            default:
                problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", field.Field("pathType").Value,
                    $"expected Exact, Prefix or ImplementationSpecific, got \"{p.PathType}\""));
                return null;
        }
    }

    /// <summary>ingress-nginx puts regex paths in <c>location ~* "^path"</c>: case-insensitive, anchored at the start only.</summary>
    internal static string PathRegex(string path) => $"(?i)(?:{path})";

    private static bool IsRegex(string pattern, out string error)
    {
        error = "";
        try { _ = new Regex(pattern, Regexes.Options, TimeSpan.FromSeconds(1)); return true; }
        catch (Exception e) when (e is ArgumentException or NotSupportedException) { error = e.Message; return false; }
    }

    private HttpRouteSpec? Route(string name, RouteMatchSpec? match, IngressBackend backend, FieldPath field, string rawPath)
    {
        var route = new HttpRouteSpec
        {
            Name = name,
            Match = match,
            MaxRequestBodyBytes = s.MaxRequestBodyBytes,
            IdleTimeout = s.IdleTimeout,
            Retries = s.Retries,
            RateLimit = s.RateLimit,
            AccessControl = s.AccessControl,
            Auth = s.Auth,
            Cors = s.Cors,
            RequestHeaders = s.SetRequestHeaders is { } set ? new HeaderModifierSpec { Set = set } : null,
        };
        var pathRewrite = s.RewriteTarget is { } target && match is not null
            ? new RegexRewriteSpec { Pattern = "^" + PathRegex(rawPath) + ".*", Substitution = target } : null;
        if (s.UpstreamHost is not null || pathRewrite is not null)
            route.Rewrite = new RewriteSpec { Host = s.UpstreamHost, PathRegex = pathRewrite };
        if (s.Redirect is { } redirect)
        {
            // The Ingress answers every path with the redirect: nothing to forward to, nothing to shape.
            return new HttpRouteSpec { Name = name, Match = match, Redirect = redirect };
        }
        var pool = Pool(backend, field);
        if (pool is null) return null;
        route.Backends = [new WeightedBackend { Pool = pool }];
        if (s.Mirror is { } mirror) route.Mirrors = [new RouteMirrorSpec { Pool = MirrorPool(mirror) }];
        if (s.DefaultBackend is { } errorService)
            route.ErrorResponses = new ErrorResponsesSpec { Statuses = s.ErrorStatuses ?? [503], Pool = ErrorPool(errorService) };
        return route;
    }

    private string? Pool(IngressBackend backend, FieldPath field) =>
        PoolNaming.ServicePool(ingress, s, state, backend, field, problems, ingress.Metadata.Name);

    /// <summary>The pool copies go to (mirror-target): the Service's, or one with the URL's address.</summary>
    private string MirrorPool(MirrorTarget m)
    {
        if (m.Service is { } service && state.Options.Services is { } services && !services.ContainsKey($"{_ns}/{service}") && !_mirrorChecked)
            problems.Add(IngressTranslator.Missing(ingress, state.Options, "ServiceNotFound", AnnotationReader.FieldOf("mirror-target"),
                $"Service \"{service}\" not found in namespace \"{_ns}\""));
        _mirrorChecked = true;
        var address = m.Address is { } a ? (a.Contains(':') ? $"[{a}]:{m.Port}" : $"{a}:{m.Port}") : null;
        var spec = new BackendPoolSpec
        {
            Service = m.Service is { } name ? new ServiceReference { Name = name, Port = m.Port } : null,
            Endpoints = address is null ? null : [new StaticEndpoint { Address = address }],
            Tls = m.Tls ? new BackendTlsSpec { InsecureSkipVerify = true } : null,
        };
        return PoolNaming.Ensure(state, ingress, $"{ingress.Metadata.Name}-mirror-{m.Service ?? m.Address!.Replace(':', '-')}-{m.Port}", spec);
    }

    private string ErrorPool(string service)
    {
        var port = state.Options.Services?.GetValueOrDefault($"{_ns}/{service}")?.Ports.FirstOrDefault()?.Port ?? 80;
        return PoolNaming.Ensure(state, ingress, $"{ingress.Metadata.Name}-{service}-{port}", new BackendPoolSpec { Service = new ServiceReference { Name = service, Port = port } });
    }
}
