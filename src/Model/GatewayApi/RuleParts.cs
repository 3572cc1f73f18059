using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>What a route's problems amount to, per the spec: not accepted (UnsupportedValue …) and/or refs that do not resolve.</summary>
internal sealed class RouteProblems
{
    public List<(string Reason, string Message)> Unsupported { get; } = [];
    public List<(string Reason, string Message)> Unresolved { get; } = [];
}

/// <summary>
/// The pieces of an HTTP or gRPC rule that do not depend on the listener: filters and backends, translated to
/// snapshot parts, in the order the spec gives (header modifiers, mirror, redirect or rewrite; per-backend filters).
/// </summary>
internal sealed class RuleParts
{
    public HeaderRulesSnapshot? RequestHeaders { get; private set; }
    public HeaderRulesSnapshot? ResponseHeaders { get; private set; }
    public HttpRequestRedirectFilter? Redirect { get; private set; }
    public HttpUrlRewriteFilter? Rewrite { get; private set; }
    public ImmutableArray<MirrorSnapshot> Mirrors { get; private set; } = [];
    public ImmutableArray<BackendSnapshot> Backends { get; private set; } = [];
    /// <summary>Set when the rule cannot do what it says (a filter Ballast does not implement): every request gets 500.</summary>
    public bool AnswersError { get; private set; }

    /// <summary>Every share of the traffic answers 500: no backendRefs, all invalid, or all of weight 0.</summary>
    public static readonly ImmutableArray<BackendSnapshot> Error500 = [new BackendSnapshot("", 1) { Status = 500 }];

    public static RuleParts Compile(GatewayRoute route, FieldPath field, List<HttpRouteFilter>? filters, List<HttpBackendRef>? backendRefs,
        PoolProtocol protocol, BackendResolver resolver, RouteProblems problems)
    {
        var parts = new RuleParts();
        var mirrors = ImmutableArray.CreateBuilder<MirrorSnapshot>();
        for (var i = 0; i < (filters?.Count ?? 0); i++)
        {
            var f = filters![i];
            var at = field.Field("filters").Index(i);
            switch (f.Type)
            {
                case "RequestHeaderModifier" when f.RequestHeaderModifier is { } h:
                    parts.RequestHeaders = Headers(h, at.Field("requestHeaderModifier"), problems);
                    break;
                case "ResponseHeaderModifier" when f.ResponseHeaderModifier is { } h:
                    parts.ResponseHeaders = Headers(h, at.Field("responseHeaderModifier"), problems);
                    break;
                case "RequestRedirect" when f.RequestRedirect is { } r:
                    parts.Redirect = r;
                    if (r.StatusCode is { } code && code is not (301 or 302 or 303 or 307 or 308))
                        problems.Unsupported.Add(("UnsupportedValue", $"{at}.requestRedirect.statusCode: {code} is not a redirect status (301, 302, 303, 307, 308)"));
                    if (r.Scheme is not (null or "http" or "https"))
                        problems.Unsupported.Add(("UnsupportedValue", $"{at}.requestRedirect.scheme: \"{r.Scheme}\" (http or https)"));
                    break;
                case "URLRewrite" when f.UrlRewrite is { } w:
                    parts.Rewrite = w;
                    break;
                case "RequestMirror" when f.RequestMirror is { } m:
                    var target = resolver.Resolve(route, m.BackendRef, protocol, at.Field("requestMirror").Field("backendRef"));
                    if (!target.Ok) { problems.Unresolved.Add((target.Reason!, target.Message!)); break; }
                    var (num, den) = m.Fraction is { } fr ? (fr.Numerator, fr.Denominator ?? 100) : (m.Percent ?? 100, 100);
                    if (den <= 0 || num < 0 || num > den)
                        problems.Unsupported.Add(("UnsupportedValue", $"{at}.requestMirror: the fraction {num}/{den} is not between 0 and 1"));
                    else mirrors.Add(new MirrorSnapshot(target.PoolId!, num, den));
                    break;
                default:
                    // The spec: a filter that cannot be applied is not skipped; the requests it should have handled get an error.
                    parts.AnswersError = true;
                    problems.Unsupported.Add(("UnsupportedValue", $"{at}: filter type \"{f.Type}\" is not supported by Ballast (or its field is missing); this rule answers 500"));
                    break;
            }
        }
        if (parts.Redirect is not null && parts.Rewrite is not null)
            problems.Unsupported.Add(("IncompatibleFilters", $"{field}.filters: RequestRedirect and URLRewrite cannot be used together"));
        parts.Mirrors = mirrors.ToImmutable();
        parts.Backends = parts.AnswersError ? Error500 : parts.Redirect is not null ? [] : ResolveBackends(route, field, backendRefs, protocol, resolver, problems);
        return parts;
    }

    private static ImmutableArray<BackendSnapshot> ResolveBackends(GatewayRoute route, FieldPath field, List<HttpBackendRef>? refs, PoolProtocol protocol,
        BackendResolver resolver, RouteProblems problems)
    {
        if (refs is not { Count: > 0 }) return Error500;
        var result = ImmutableArray.CreateBuilder<BackendSnapshot>();
        for (var i = 0; i < refs.Count; i++)
        {
            var b = refs[i];
            var at = field.Field("backendRefs").Index(i);
            var weight = b.Weight ?? 1;
            var resolved = resolver.Resolve(route, b, protocol, at);
            if (!resolved.Ok) problems.Unresolved.Add((resolved.Reason!, resolved.Message!));
            if (weight == 0) continue; // weight 0: no traffic, whether it resolves or not
            HeaderRulesSnapshot? request = null, response = null;
            for (var j = 0; j < (b.Filters?.Count ?? 0); j++)
            {
                var f = b.Filters![j];
                var fat = at.Field("filters").Index(j);
                if (f.Type == "RequestHeaderModifier" && f.RequestHeaderModifier is { } rq) request = Headers(rq, fat.Field("requestHeaderModifier"), problems);
                else if (f.Type == "ResponseHeaderModifier" && f.ResponseHeaderModifier is { } rs) response = Headers(rs, fat.Field("responseHeaderModifier"), problems);
                else
                {
                    problems.Unsupported.Add(("UnsupportedValue", $"{fat}: filter type \"{f.Type}\" is not supported on a single backendRef (header modifiers are); this backend's share answers 500"));
                    resolved = resolved with { PoolId = null };
                }
            }
            result.Add(resolved.Ok
                ? new BackendSnapshot(resolved.PoolId!, weight) { RequestHeaders = request, ResponseHeaders = response }
                : new BackendSnapshot("", weight) { Status = 500 });
        }
        return result.Count == 0 ? Error500 : result.ToImmutable();
    }

    private static HeaderRulesSnapshot Headers(HttpHeaderFilter h, FieldPath field, RouteProblems problems)
    {
        void Check(string name, string? value, FieldPath at)
        {
            if (!Names.IsToken(name)) problems.Unsupported.Add(("UnsupportedValue", $"{at}.name: \"{name}\" is not a valid header name"));
            if (value is not null && !Names.IsHeaderValue(value)) problems.Unsupported.Add(("UnsupportedValue", $"{at}.value: control characters are not allowed in a header value"));
        }
        for (var i = 0; i < (h.Set?.Count ?? 0); i++) Check(h.Set![i].Name, h.Set[i].Value, field.Field("set").Index(i));
        for (var i = 0; i < (h.Add?.Count ?? 0); i++) Check(h.Add![i].Name, h.Add[i].Value, field.Field("add").Index(i));
        for (var i = 0; i < (h.Remove?.Count ?? 0); i++) Check(h.Remove![i], null, field.Field("remove").Index(i));
        return new HeaderRulesSnapshot
        {
            Set = [.. (h.Set ?? []).Select(x => KeyValuePair.Create(x.Name, x.Value))],
            Add = [.. (h.Add ?? []).Select(x => KeyValuePair.Create(x.Name, x.Value))],
            Remove = [.. h.Remove ?? []],
        };
    }

    /// <summary>
    /// The redirect for one listener: the port is the redirect's, else the scheme's well-known port when the scheme
    /// changes, else the listener's (the spec's defaults; 80 for http and 443 for https are left out of Location). The
    /// listener's port is the one clients use: in a cluster the ingress Service's port, not the container port.
    /// </summary>
    public RedirectSnapshot? RedirectOn(int listenerPort, MatchSnapshot match, FieldPath field, RouteProblems problems)
    {
        if (Redirect is not { } r) return null;
        var port = r.Port ?? (r.Scheme switch { "http" => 80, "https" => 443, _ => listenerPort });
        string? full = null, prefix = null;
        if (r.Path is { } p) PathModifier(p, match, field, problems, out full, out prefix);
        return new RedirectSnapshot
        {
            Scheme = r.Scheme,
            Host = r.Hostname?.ToLowerInvariant(),
            Port = port,
            Path = full,
            PathPrefix = prefix,
            StatusCode = r.StatusCode ?? 302,
        };
    }

    public RewriteSnapshot? RewriteFor(MatchSnapshot match, FieldPath field, RouteProblems problems)
    {
        if (Rewrite is not { } w) return null;
        string? full = null, prefix = null;
        if (w.Path is { } p) PathModifier(p, match, field, problems, out full, out prefix);
        return new RewriteSnapshot { Host = w.Hostname?.ToLowerInvariant(), Path = full, PathPrefix = prefix };
    }

    private static void PathModifier(HttpPathModifier p, MatchSnapshot match, FieldPath field, RouteProblems problems, out string? full, out string? prefix)
    {
        full = prefix = null;
        if (p.Type == PathModifierType.ReplaceFullPath) full = p.ReplaceFullPath ?? "/";
        else if (match.PathKind != PathMatchKind.Prefix)
            problems.Unsupported.Add(("UnsupportedValue", $"{field}: ReplacePrefixMatch needs a PathPrefix path match"));
        else prefix = p.ReplacePrefixMatch ?? "/";
    }
}
