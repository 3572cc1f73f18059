using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>
/// A canary Ingress: for each of its paths, its pool joins the main route with the same host and path.
/// ingress-nginx's order holds: header (always/never, value or pattern), then cookie, then weight.
/// </summary>
internal sealed class CanaryBuilder(Ingress ingress, IngressSettings s, IngressTranslator.State state, List<IngressProblem> problems)
{
    public void Build()
    {
        var c = s.Canary!;
        if (problems.Any(p => p.Kind == IngressProblemKind.Invalid)) return; // a malformed canary joins nothing
        var ns = ingress.NamespaceOrDefault;
        var rules = ingress.Spec.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var paths = rules[i].Http?.Paths ?? [];
            for (var j = 0; j < paths.Count; j++)
            {
                var field = FieldPath.Spec.Field("rules").Index(i).Field("http").Field("paths").Index(j);
                var host = rules[i].Host?.ToLowerInvariant() ?? "";
                var path = paths[j].Path is { Length: > 0 } p ? p : "/";
                if (!state.MainRoutes.TryGetValue((ns, host, path), out var main))
                {
                    problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Reference, "NoMainIngress", field.Value,
                        $"no Ingress without canary serves host \"{host}\" path \"{path}\": the canary has nothing to join"));
                    continue;
                }
                var canaryPool = PoolNaming.ServicePool(ingress, s, state, paths[j].Backend, field.Field("backend"), problems, ingress.Metadata.Name);
                if (canaryPool is null) continue;
                Join(main.Policy, main.Route, main.Pool, canaryPool, c);
            }
        }
    }

    private static void Join(LoadBalancerPolicy policy, HttpRouteSpec route, string mainPool, string canaryPool, CanarySettings c)
    {
        var weight = c.Weight ?? 0;
        route.Backends = [new WeightedBackend { Pool = mainPool, Weight = c.WeightTotal - weight }, new WeightedBackend { Pool = canaryPool, Weight = weight }];
        if (c.Header is { } header && c.HeaderValue is null && c.HeaderPattern is null)
        {
            route.Canary = new CanarySpec { Pool = canaryPool, Header = new NameValueSpec { Name = header, Value = "always" } };
            // "never" keeps a request off the canary whatever the weight: a more specific route to the main pool alone.
            policy.Spec.Routes!.Add(Variant(route, "-canary-never", new ValueMatchSpec { Name = header, Value = "never" }, mainPool));
        }
        else if (c.Header is { } h && c.HeaderValue is { } value)
            route.Canary = new CanarySpec { Pool = canaryPool, Header = new NameValueSpec { Name = h, Value = value } };
        else if (c.Header is { } hp && c.HeaderPattern is { } pattern)
            policy.Spec.Routes!.Add(Variant(route, "-canary-pattern", new ValueMatchSpec { Name = hp, Regex = pattern }, canaryPool));
        if (c.Cookie is { } cookie)
        {
            route.Canary ??= new CanarySpec { Pool = canaryPool };
            route.Canary.Cookie = new NameValueSpec { Name = cookie, Value = "always" };
        }
    }

    /// <summary>The route again, with one header condition more, to a single pool.</summary>
    private static HttpRouteSpec Variant(HttpRouteSpec route, string suffix, ValueMatchSpec header, string pool) => new()
    {
        Name = route.Name + suffix,
        Listeners = route.Listeners,
        Match = new RouteMatchSpec
        {
            Hosts = route.Match?.Hosts,
            Path = route.Match?.Path,
            PathPrefix = route.Match?.PathPrefix,
            PathRegex = route.Match?.PathRegex,
            Headers = [header],
        },
        Backends = [new WeightedBackend { Pool = pool }],
        MaxRequestBodyBytes = route.MaxRequestBodyBytes,
        IdleTimeout = route.IdleTimeout,
        Retries = route.Retries,
        RateLimit = route.RateLimit,
        AccessControl = route.AccessControl,
        Auth = route.Auth,
        Cors = route.Cors,
        RequestHeaders = route.RequestHeaders,
        Rewrite = route.Rewrite,
        ErrorResponses = route.ErrorResponses,
    };
}
