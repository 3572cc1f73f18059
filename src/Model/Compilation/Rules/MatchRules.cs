using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>
/// Route matches: hosts lower-cased, one path form, regexes that the data plane can run. Methods stay as written:
/// they match case-sensitively (RFC 9110), so <c>get</c> matches only a request whose method is <c>get</c>.
/// </summary>
internal static class MatchRules
{
    public static MatchSnapshot Compile(ResourceReport r, FieldPath field, RouteMatchSpec? spec)
    {
        if (spec is null) return new MatchSnapshot();
        var hosts = Hosts(r, field.Field("hosts"), spec.Hosts);

        var pathForms = (spec.Path is null ? 0 : 1) + (spec.PathPrefix is null ? 0 : 1) + (spec.PathRegex is null ? 0 : 1);
        if (pathForms > 1) r.Error(field, "at most one of path, pathPrefix, pathRegex");
        var (kind, path) = spec switch
        {
            { Path: { } p } => (PathMatchKind.Exact, p),
            { PathPrefix: { } p } => (PathMatchKind.Prefix, p),
            { PathRegex: { } p } => (PathMatchKind.Regex, p),
            _ => (PathMatchKind.Any, ""),
        };
        if (kind is PathMatchKind.Exact or PathMatchKind.Prefix && !path.StartsWith('/'))
            r.Error(field.Field(kind == PathMatchKind.Exact ? "path" : "pathPrefix"), $"must start with \"/\", got \"{path}\"");
        if (kind == PathMatchKind.Regex) Regexes.Check(r, field.Field("pathRegex"), path);

        var methods = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < (spec.Methods?.Count ?? 0); i++)
        {
            var m = spec.Methods![i];
            if (!Names.IsToken(m)) r.Error(field.Field("methods").Index(i), $"\"{m}\" is not a valid HTTP method");
            else if (!methods.Contains(m)) methods.Add(m);
        }

        return new MatchSnapshot
        {
            Hosts = hosts,
            PathKind = kind,
            Path = path,
            Methods = methods.ToImmutable(),
            Headers = Values(r, field.Field("headers"), spec.Headers, "header"),
            Query = Values(r, field.Field("query"), spec.Query, "query parameter"),
        };
    }

    public static ImmutableArray<string> Hosts(ResourceReport r, FieldPath field, List<string>? hosts)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < (hosts?.Count ?? 0); i++)
        {
            var normalized = Names.NormalizeHost(hosts![i], allowWildcard: true);
            if (normalized is null)
                r.Error(field.Index(i), $"\"{hosts[i]}\" is not a valid host name (DNS labels, optionally a leading \"*.\")");
            else if (!result.Contains(normalized)) result.Add(normalized);
        }
        return result.ToImmutable();
    }

    private static ImmutableArray<ValueMatchSnapshot> Values(ResourceReport r, FieldPath field, List<ValueMatchSpec>? list, string what)
    {
        var result = ImmutableArray.CreateBuilder<ValueMatchSnapshot>();
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var v = list![i];
            var at = field.Index(i);
            if (!Names.IsToken(v.Name)) r.Error(at.Field("name"), $"\"{v.Name}\" is not a valid {what} name");
            if (v.Value is not null && v.Regex is not null) r.Error(at, "at most one of value, regex");
            Regexes.Check(r, at.Field("regex"), v.Regex);
            result.Add(v switch
            {
                { Regex: { } re } => new ValueMatchSnapshot(v.Name, ValueMatchKind.Regex, re),
                { Value: { } val } => new ValueMatchSnapshot(v.Name, ValueMatchKind.Exact, val),
                _ => new ValueMatchSnapshot(v.Name, ValueMatchKind.Present, ""),
            });
        }
        return result.ToImmutable();
    }

    /// <summary>A canonical text of a match: two routes with equal keys match exactly the same requests.</summary>
    public static string Key(MatchSnapshot m) => string.Join("\n",
        string.Join(",", m.Hosts.Order(StringComparer.Ordinal)),
        $"{m.PathKind}:{m.Path}",
        string.Join(",", m.Methods.Order(StringComparer.Ordinal)),
        string.Join(",", m.Headers.Select(h => $"{h.Name.ToLowerInvariant()}|{h.Kind}|{h.Value}").Order(StringComparer.Ordinal)),
        string.Join(",", m.Query.Select(q => $"{q.Name}|{q.Kind}|{q.Value}").Order(StringComparer.Ordinal)));
}
