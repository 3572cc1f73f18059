using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Gw = Ballast.Model.Resources.GatewayApi;
using Native = Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Migration;

/// <summary>
/// <c>migrate --to gateway-api</c>: the same translation as <c>--to ballast</c>, written as a GatewayClass, one Gateway
/// per namespace (listeners <c>http</c>/<c>https</c> on the Ingress ports, the namespace's TLS Secrets) and HTTPRoutes
/// (one per Ingress, host and listener set). Pool settings travel as BackendPools attached to the Service
/// (<c>targetRefs</c>). What HTTPRoute cannot say (rate limits, auth, CORS, body limits, idle timeouts, error pages,
/// regex rewrites, retries) is reported unsupported for this target, naming the annotation: use <c>--to ballast</c>.
/// </summary>
internal static class GatewayApiOutput
{
    public const string ClassName = "ballast";
    public const string GatewayName = "ballast";

    /// <summary>The annotations behind each route feature HTTPRoute has no field for.</summary>
    private static readonly (Func<Native.HttpRouteSpec, bool> Uses, string What, string[] Annotations)[] Inexpressible =
    [
        (r => r.RateLimit is not null, "HTTPRoute has no rate limit", ["limit-rps", "limit-rpm", "limit-burst-multiplier"]),
        (r => r.AccessControl is not null, "HTTPRoute has no IP allow/deny list", ["whitelist-source-range", "allowlist-source-range", "denylist-source-range"]),
        (r => r.Auth is not null, "HTTPRoute has no authentication in the standard channel", ["auth-url", "auth-response-headers", "auth-type", "auth-secret", "auth-realm", "auth-secret-type"]),
        (r => r.Cors is not null, "the HTTPRoute CORS filter is experimental; Ballast's Gateway API support does not read it", ["enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-expose-headers", "cors-allow-credentials", "cors-max-age"]),
        (r => r.ErrorResponses is not null, "HTTPRoute has no error pages", ["custom-http-errors", "default-backend"]),
        (r => r.MaxRequestBodyBytes is not null, "HTTPRoute has no request body limit", ["proxy-body-size"]),
        (r => r.IdleTimeout is not null, "HTTPRoute timeouts bound the whole request, not idle time", ["proxy-read-timeout", "proxy-send-timeout"]),
        (r => r.Retries is not null, "HTTPRoute retries are experimental; Ballast's Gateway API support does not read them", ["proxy-next-upstream", "proxy-next-upstream-tries", "proxy-next-upstream-timeout"]),
        (r => r.Rewrite?.PathRegex is not null, "HTTPRoute rewrites replace a prefix or the full path, never by regex captures", ["rewrite-target"]),
    ];

    public static (string Yaml, IngressTranslation Report) Write(IngressTranslation translation)
    {
        var reports = translation.Reports.ToDictionary(r => r.Key);
        var extra = reports.Keys.ToDictionary(k => k, _ => new List<AnnotationOutcome>());
        var pools = translation.Pools.ToDictionary(p => $"{p.NamespaceOrDefault}/{p.Metadata.Name}");
        var routes = new List<HttpRoute>();
        var gateways = new SortedDictionary<string, Gateway>(StringComparer.Ordinal);
        var attached = new SortedDictionary<string, BackendPool>(StringComparer.Ordinal);

        foreach (var policy in translation.Policies.OrderBy(p => p.NamespaceOrDefault, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var ns = policy.NamespaceOrDefault;
            var origin = translation.Origins[$"{ns}/{policy.Metadata.Name}"];
            var gateway = GatewayFor(gateways, ns, policy);
            var outcomes = extra[origin];
            foreach (var route in policy.Spec.Routes ?? [])
                foreach (var (uses, what, annotations) in Inexpressible)
                    if (uses(route))
                        foreach (var a in annotations)
                            if (reports[origin].Annotations.Any(o => o.Name == AnnotationReader.Prefix + a && o.Verdict is AnnotationVerdict.Mapped or AnnotationVerdict.Approximated)
                                && !outcomes.Any(o => o.Name == AnnotationReader.Prefix + a))
                                outcomes.Add(new AnnotationOutcome(AnnotationReader.Prefix + a, AnnotationVerdict.Unsupported, $"not in the Gateway API output: {what} (use --to ballast)"));
            // A RequestMirror names a Service: a mirror-target that is an address has nothing to name.
            const string mirrorTarget = AnnotationReader.Prefix + "mirror-target";
            if ((policy.Spec.Routes ?? []).Any(r => r.Mirrors?.Any(m => pools[$"{ns}/{m.Pool}"].Spec.Service is null) == true) && !outcomes.Any(o => o.Name == mirrorTarget))
                outcomes.Add(new AnnotationOutcome(mirrorTarget, AnnotationVerdict.Unsupported,
                    "not in the Gateway API output: a RequestMirror filter names a Service, and this mirror is an address (use --to ballast)"));
            if (RedirectPorts.Differ(policy, reports[origin], outcomes) is { } differs)
                outcomes.Add(differs with { Note = "differs in the Gateway API output: " + differs.Note });
            // ingress-nginx limits bodies to 1m without any annotation; say so rather than drop it quietly.
            const string defaultBody = AnnotationReader.Prefix + "proxy-body-size (default)";
            if ((policy.Spec.Routes ?? []).Any(r => r.MaxRequestBodyBytes == BackendAnnotations.DefaultBodySize)
                && !reports[origin].Annotations.Any(o => o.Name == AnnotationReader.Prefix + "proxy-body-size") && !outcomes.Any(o => o.Name == defaultBody))
                outcomes.Add(new AnnotationOutcome(defaultBody, AnnotationVerdict.Approximated, "ingress-nginx's default 1m body limit is not carried over: HTTPRoute has no body limit"));

            // HTTPRoute hostnames and listeners belong to the whole route: one HTTPRoute per (listeners, host).
            var groups = (policy.Spec.Routes ?? [])
                .GroupBy(r => (Listeners: string.Join(",", r.Listeners ?? []), Host: r.Match?.Hosts?.FirstOrDefault() ?? ""))
                .ToList();
            for (var g = 0; g < groups.Count; g++)
            {
                var group = groups[g];
                var route = new HttpRoute
                {
                    Metadata = new ResourceMetadata { Name = groups.Count == 1 ? policy.Metadata.Name : $"{policy.Metadata.Name}-{g}", Namespace = policy.Metadata.Namespace },
                    Spec = new Gw.HttpRouteSpec
                    {
                        ParentRefs = [.. (group.Key.Listeners.Length == 0 ? ["http"] : group.Key.Listeners.Split(',')).Select(l => new ParentReference { Name = GatewayName, SectionName = l })],
                        Hostnames = group.Key.Host.Length == 0 ? null : [group.Key.Host],
                        Rules = [],
                    },
                };
                foreach (var r in group) route.Spec.Rules.AddRange(Rules(r, pools, ns));
                routes.Add(route);
            }
        }
        foreach (var pool in translation.Pools)
            if (Attachable(pool) is { } settings && !attached.ContainsKey($"{pool.NamespaceOrDefault}/{pool.Spec.Service!.Name}"))
                attached[$"{pool.NamespaceOrDefault}/{pool.Spec.Service!.Name}"] = settings;

        var merged = translation with
        {
            Reports = [.. translation.Reports.Select(r => r with
            {
                Annotations = [.. r.Annotations.Where(a => !extra[r.Key].Any(e => e.Name == a.Name)).Concat(extra[r.Key]).OrderBy(a => a.Name, StringComparer.Ordinal)],
            })],
        };
        IEnumerable<Resource> all =
        [
            new GatewayClass { Metadata = new ResourceMetadata { Name = ClassName }, Spec = new GatewayClassSpec { ControllerName = GatewayApiGroup.ControllerName } },
            .. gateways.Values,
            .. attached.Values,
            .. routes.OrderBy(r => r.NamespaceOrDefault, StringComparer.Ordinal).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal),
        ];
        return (YamlWriter.Documents(all), merged);
    }

    private static Gateway GatewayFor(SortedDictionary<string, Gateway> gateways, string ns, LoadBalancerPolicy policy)
    {
        if (!gateways.TryGetValue(ns, out var gateway))
        {
            gateway = new Gateway
            {
                Metadata = new ResourceMetadata { Name = GatewayName, Namespace = policy.Metadata.Namespace },
                Spec = new GatewaySpec { GatewayClassName = ClassName, Listeners = [] },
            };
            gateways[ns] = gateway;
        }
        foreach (var l in policy.Spec.Listeners ?? [])
        {
            var existing = gateway.Spec.Listeners.FirstOrDefault(x => x.Name == l.Name);
            if (existing is null)
            {
                existing = new GatewayListener { Name = l.Name, Port = l.Port, Protocol = l.Protocol.ToString() };
                gateway.Spec.Listeners.Add(existing);
            }
            foreach (var cert in l.Tls?.Certificates ?? [])
            {
                existing.Tls ??= new GatewayTlsConfig { Mode = GatewayTlsMode.Terminate, CertificateRefs = [] };
                if (!existing.Tls.CertificateRefs!.Any(c => c.Name == cert.SecretRef)) existing.Tls.CertificateRefs!.Add(new SecretObjectReference { Name = cert.SecretRef! });
            }
        }
        gateway.Spec.Listeners.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return gateway;
    }

    /// <summary>One native route → its HTTPRoute rules: the route itself, and, for a header or cookie canary, a rule before it.</summary>
    private static IEnumerable<HttpRouteRule> Rules(Native.HttpRouteSpec r, Dictionary<string, BackendPool> pools, string ns)
    {
        var match = Match(r.Match);
        var filters = Filters(r, pools, ns);
        if (r.Canary is { } canary)
        {
            var canaryRef = BackendRefs([new WeightedBackend { Pool = canary.Pool }], pools, ns);
            if (canary.Header is { } h)
                yield return new HttpRouteRule { Name = r.Name + "-canary-header", Matches = [With(match, new HttpValueMatch { Name = h.Name, Value = h.Value, Type = StringMatchType.Exact })], Filters = filters, BackendRefs = canaryRef };
            if (canary.Cookie is { } c)
                yield return new HttpRouteRule
                {
                    Name = r.Name + "-canary-cookie",
                    Matches = [With(match, new HttpValueMatch { Name = "Cookie", Type = StringMatchType.RegularExpression, Value = $"(^|.*; *){System.Text.RegularExpressions.Regex.Escape(c.Name)}={System.Text.RegularExpressions.Regex.Escape(c.Value)}(;.*|$)" })],
                    Filters = filters,
                    BackendRefs = canaryRef,
                };
        }
        yield return new HttpRouteRule
        {
            Name = r.Name,
            Matches = [match],
            Filters = filters,
            BackendRefs = r.Redirect is null ? BackendRefs(r.Backends ?? [], pools, ns) : null,
        };
    }

    private static HttpRouteMatch With(HttpRouteMatch m, HttpValueMatch header) => new()
    {
        Path = m.Path,
        Headers = [.. m.Headers ?? [], header],
    };

    private static HttpRouteMatch Match(RouteMatchSpec? m) => new()
    {
        Path = m switch
        {
            { Path: { } p } => new HttpPathMatch { Type = PathMatchType.Exact, Value = p },
            { PathRegex: { } p } => new HttpPathMatch { Type = PathMatchType.RegularExpression, Value = p },
            { PathPrefix: { } p } => new HttpPathMatch { Type = PathMatchType.PathPrefix, Value = p },
            _ => new HttpPathMatch { Type = PathMatchType.PathPrefix, Value = "/" },
        },
        Headers = m?.Headers is { Count: > 0 } hs
            ? [.. hs.Select(h => new HttpValueMatch { Name = h.Name, Value = h.Regex ?? h.Value ?? "", Type = h.Regex is null ? StringMatchType.Exact : StringMatchType.RegularExpression })]
            : null,
    };

    private static List<HttpRouteFilter>? Filters(Native.HttpRouteSpec r, Dictionary<string, BackendPool> pools, string ns)
    {
        var filters = new List<HttpRouteFilter>();
        foreach (var m in r.Mirrors ?? [])
            if (pools[$"{ns}/{m.Pool}"].Spec.Service is { } mirrored)
                filters.Add(new HttpRouteFilter
                {
                    Type = "RequestMirror",
                    RequestMirror = new HttpRequestMirrorFilter
                    {
                        BackendRef = new BackendObjectReference { Name = mirrored.Name, Port = mirrored.Port },
                        Percent = m.Percent == 100 ? null : m.Percent,
                    },
                });
        if (r.Redirect is { } d)
            filters.Add(new HttpRouteFilter
            {
                Type = "RequestRedirect",
                RequestRedirect = new HttpRequestRedirectFilter
                {
                    Scheme = d.Scheme,
                    Hostname = d.Host,
                    Port = d.Port,
                    StatusCode = d.StatusCode,
                    Path = d.Path is { } p ? new HttpPathModifier { Type = PathModifierType.ReplaceFullPath, ReplaceFullPath = p } : null,
                },
            });
        if (r.RequestHeaders?.Set is { Count: > 0 } set)
            filters.Add(new HttpRouteFilter
            {
                Type = "RequestHeaderModifier",
                RequestHeaderModifier = new HttpHeaderFilter { Set = [.. set.Select(kv => new HttpHeader { Name = kv.Key, Value = kv.Value })] },
            });
        if (r.Rewrite?.Host is { } host)
            filters.Add(new HttpRouteFilter { Type = "URLRewrite", UrlRewrite = new HttpUrlRewriteFilter { Hostname = host } });
        return filters.Count == 0 ? null : filters;
    }

    private static List<HttpBackendRef> BackendRefs(IEnumerable<WeightedBackend> backends, Dictionary<string, BackendPool> pools, string ns) =>
        [.. backends.Select(b =>
        {
            var svc = pools[$"{ns}/{b.Pool}"].Spec.Service!;
            return new HttpBackendRef { Name = svc.Name, Port = svc.Port, Weight = b.Weight };
        })];

    /// <summary>A pool's settings that differ from the defaults, as a BackendPool attached to its Service; null when there are none.</summary>
    private static BackendPool? Attachable(BackendPool pool)
    {
        var s = pool.Spec;
        if (s.Service is null) return null; // an address (a mirror-target outside the cluster): nothing to attach to
        if (s.Protocol == PoolProtocol.HTTP1 && s.Tls is null && s.SessionAffinity is null && s.LoadBalancing is null && s.ConnectTimeout is null) return null;
        return new BackendPool
        {
            Metadata = new ResourceMetadata { Name = s.Service!.Name, Namespace = pool.Metadata.Namespace },
            Spec = new BackendPoolSpec
            {
                TargetRefs = [new PolicyTargetReference { Group = "", Kind = "Service", Name = s.Service.Name }],
                Protocol = s.Protocol,
                Tls = s.Tls,
                SessionAffinity = s.SessionAffinity,
                LoadBalancing = s.LoadBalancing,
                ConnectTimeout = s.ConnectTimeout,
            },
        };
    }
}
