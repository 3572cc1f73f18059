using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// A GRPCRoute is an HTTP route on <c>/{service}/{method}</c>: an exact service and method is an exact path, a
/// service alone a prefix, anything with a regular expression (or a method alone) an anchored path regex. Its pools
/// speak gRPC, which the data plane balances per call.
/// </summary>
internal static class GrpcRouteTranslator
{
    public static List<HttpRouteTranslator.Rule> Rules(GrpcRoute route, BackendResolver resolver, RouteProblems problems) =>
        HttpRouteTranslator.Rules(route,
            [.. (route.Spec.Rules ?? []).Select(r => new HttpRouteTranslator.RuleSpec<GrpcRouteMatch>(r.Name, r.Matches, r.Filters, r.BackendRefs, null))],
            Match, PoolProtocol.GRPC, resolver, problems);

    private static MatchSnapshot Match(GrpcRouteMatch m, FieldPath at, RouteProblems problems)
    {
        var headers = HttpRouteTranslator.Values(m.Headers, at.Field("headers"), problems, headers: true);
        if (m.Method is not { } method) return new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/", Headers = headers };
        if (method.Service is null && method.Method is null)
            problems.Unsupported.Add(("UnsupportedValue", $"{at}.method: one of service or method is required"));
        var regex = method.Type == StringMatchType.RegularExpression;
        if (!regex && method.Service is { } s && method.Method is { } me)
            return new MatchSnapshot { PathKind = PathMatchKind.Exact, Path = $"/{s}/{me}", Headers = headers };
        if (!regex && method.Service is { } only)
            return new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = $"/{only}", Headers = headers };
        string Part(string? value) => value is null ? "[^/]+" : regex ? value : Regex.Escape(value);
        var pattern = $"/{Part(method.Service)}/{Part(method.Method)}";
        if (regex) HttpRouteTranslator.CheckRegex(pattern, at.Field("method"), problems);
        return new MatchSnapshot { PathKind = PathMatchKind.Regex, Path = pattern, Headers = headers };
    }
}
