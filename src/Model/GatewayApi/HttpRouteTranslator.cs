using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// An HTTPRoute (or GRPCRoute, through <see cref="Rule"/>) on the listeners it attached to: one route snapshot per
/// rule, match and listener, carrying the host names the route serves on that listener. Precedence between them is
/// the spec's, applied by <see cref="RoutePrecedence"/> (host, exact path, longest prefix, method, most headers,
/// most query parameters, then the oldest route, then namespace/name, then rule order).
/// </summary>
internal static class HttpRouteTranslator
{
    /// <summary>A rule ready to be placed: its matches (without hosts) and parts.</summary>
    public sealed record Rule(int Index, FieldPath Field, string Id, ImmutableArray<MatchSnapshot> Matches, RuleParts Parts, TimeSpan? Timeout);

    public static List<Rule> Rules(HttpRoute route, BackendResolver resolver, RouteProblems problems) =>
        Rules(route, [.. (route.Spec.Rules ?? []).Select(r => new RuleSpec<HttpRouteMatch>(r.Name, r.Matches, r.Filters, r.BackendRefs, r.Timeouts))],
            Match, PoolProtocol.HTTP1, resolver, problems);

    /// <summary>What HTTP and gRPC rules have in common, whatever their matches look like.</summary>
    public sealed record RuleSpec<TMatch>(string? Name, List<TMatch>? Matches, List<HttpRouteFilter>? Filters, List<HttpBackendRef>? BackendRefs, HttpRouteTimeouts? Timeouts);

    /// <summary>Rules with their matches translated by <paramref name="match"/>; no matches means every request (prefix "/").</summary>
    public static List<Rule> Rules<TMatch>(GatewayRoute route, List<RuleSpec<TMatch>> spec, Func<TMatch, FieldPath, RouteProblems, MatchSnapshot> match,
        PoolProtocol protocol, BackendResolver resolver, RouteProblems problems)
    {
        var rules = new List<Rule>();
        for (var i = 0; i < spec.Count; i++)
        {
            var rule = spec[i];
            var at = FieldPath.Spec.Field("rules").Index(i);
            var matches = rule.Matches is { Count: > 0 } list
                ? [.. list.Select((m, j) => match(m, at.Field("matches").Index(j), problems))]
                : ImmutableArray.Create(new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/" });
            var parts = RuleParts.Compile(route, at, rule.Filters, rule.BackendRefs, protocol, resolver, problems);
            rules.Add(new Rule(i, at, RuleId(route, rule.Name, i), matches, parts, Timeout(rule.Timeouts, at, problems)));
        }
        return rules;
    }

    public static string RuleId(GatewayRoute route, string? name, int index) =>
        $"{route.Kind.ToLowerInvariant()}:{route.NamespaceOrDefault}/{route.Metadata.Name}/{name ?? $"rules[{index}]"}";

    /// <summary>
    /// Ballast does not retry Gateway API routes, so one backend request is the whole request: the shorter of
    /// <c>request</c> and <c>backendRequest</c> bounds it (504 past it). A zero duration means no timeout.
    /// </summary>
    private static TimeSpan? Timeout(HttpRouteTimeouts? t, FieldPath at, RouteProblems problems)
    {
        var request = t?.Request?.Value is { } r && r > TimeSpan.Zero ? r : (TimeSpan?)null;
        var backend = t?.BackendRequest?.Value is { } b && b > TimeSpan.Zero ? b : (TimeSpan?)null;
        if (request is { } rq && backend is { } bq && bq > rq)
            problems.Unsupported.Add(("UnsupportedValue", $"{at}.timeouts.backendRequest: {bq} is longer than timeouts.request ({rq})"));
        return request is null ? backend : backend is null ? request : (request < backend ? request : backend);
    }

    private static MatchSnapshot Match(HttpRouteMatch m, FieldPath at, RouteProblems problems)
    {
        var type = m.Path?.Type ?? PathMatchType.PathPrefix;
        var value = m.Path?.Value ?? "/";
        if (type != PathMatchType.RegularExpression && !value.StartsWith('/'))
            problems.Unsupported.Add(("UnsupportedValue", $"{at}.path.value: must start with \"/\", got \"{value}\""));
        if (type == PathMatchType.RegularExpression) CheckRegex(value, at.Field("path").Field("value"), problems);
        // PathPrefix matches whole segments, and a trailing "/" does not change that: "/x/" matches "/x" too.
        if (type == PathMatchType.PathPrefix && value.Length > 1) value = value.TrimEnd('/');
        return new MatchSnapshot
        {
            PathKind = type switch { PathMatchType.Exact => PathMatchKind.Exact, PathMatchType.RegularExpression => PathMatchKind.Regex, _ => PathMatchKind.Prefix },
            Path = value.Length == 0 ? "/" : value,
            Methods = m.Method is { } method ? [method] : [],
            Headers = Values(m.Headers, at.Field("headers"), problems, headers: true),
            Query = Values(m.QueryParams, at.Field("queryParams"), problems, headers: false),
        };
    }

    /// <summary>Header names are case-insensitive, so a header named twice is the spec's "first one wins"; query names are exact.</summary>
    internal static ImmutableArray<ValueMatchSnapshot> Values(List<HttpValueMatch>? list, FieldPath at, RouteProblems problems, bool headers)
    {
        var result = ImmutableArray.CreateBuilder<ValueMatchSnapshot>();
        var seen = new HashSet<string>(headers ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var v = list![i];
            if (!Names.IsToken(v.Name)) problems.Unsupported.Add(("UnsupportedValue", $"{at.Index(i)}.name: \"{v.Name}\" is not a valid name"));
            if (!seen.Add(v.Name)) continue;
            var regex = v.Type == StringMatchType.RegularExpression;
            if (regex) CheckRegex(v.Value, at.Index(i).Field("value"), problems);
            result.Add(new ValueMatchSnapshot(v.Name, regex ? ValueMatchKind.Regex : ValueMatchKind.Exact, v.Value));
        }
        return result.ToImmutable();
    }

    internal static void CheckRegex(string pattern, FieldPath at, RouteProblems problems)
    {
        var scratch = new ResourceReport(new HttpRoute());
        Regexes.Check(scratch, at, pattern);
        foreach (var p in scratch.Problems) problems.Unsupported.Add(("UnsupportedValue", $"{at}: {p.Diagnostic.Message}"));
    }

    /// <summary>The route snapshots of one rule on one listener, as precedence entries.</summary>
    /// <param name="publicPort">The port clients reach the listener on (a redirect's default port; see <see cref="CompilerInput.PublicPorts"/>).</param>
    /// <param name="traffic">The traffic policies attached to the route or its Gateway (see <see cref="PolicyAttachment"/>); null: none.</param>
    public static IEnumerable<RoutePrecedence.Entry> Place(Rule rule, Attached on, int publicPort, ImmutableArray<string> hosts, int routeOrder, RouteProblems problems,
        RouteTraffic? traffic = null)
    {
        for (var j = 0; j < rule.Matches.Length; j++)
        {
            var match = rule.Matches[j] with { Hosts = hosts };
            var snapshot = new RouteSnapshot
            {
                Id = rule.Id,
                Match = match,
                Backends = rule.Parts.Backends,
                Redirect = rule.Parts.RedirectOn(publicPort, match, rule.Field.Field("filters"), problems),
                Rewrite = rule.Parts.RewriteFor(match, rule.Field.Field("filters"), problems),
                RequestHeaders = rule.Parts.RequestHeaders,
                ResponseHeaders = rule.Parts.ResponseHeaders,
                Mirrors = rule.Parts.Mirrors,
                Timeout = rule.Timeout,
            };
            yield return new RoutePrecedence.Entry(traffic?.ApplyTo(snapshot) ?? snapshot, routeOrder, rule.Index * 1000 + j);
        }
    }
}
