using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Request/response shaping of routes and listeners: header-prefix stripping, rewrites, redirects, body limits.</summary>
internal static class ShapingRules
{
    private static readonly int[] RedirectCodes = [301, 302, 303, 307, 308];

    /// <summary>Header-name prefixes a listener strips from client requests (e.g. <c>X-Internal-</c>).</summary>
    public static ImmutableArray<string> HeaderPrefixes(ResourceReport r, FieldPath field, List<string>? prefixes, ListenerKind kind)
    {
        if (prefixes is null) return [];
        if (kind is not (ListenerKind.Http or ListenerKind.Https))
            r.Error(field, $"only HTTP and HTTPS listeners take stripRequestHeaderPrefixes (this one is {kind})");
        var result = ImmutableArray.CreateBuilder<string>(prefixes.Count);
        for (var i = 0; i < prefixes.Count; i++)
        {
            var prefix = prefixes[i] ?? "";
            if (!Names.IsToken(prefix)) r.Error(field.Index(i), $"\"{prefix}\" is not the start of a header name (letters, digits, and !#$%&'*+-.^_`|~)");
            else result.Add(prefix);
        }
        return result.ToImmutable();
    }

    public static RewriteSnapshot? Rewrite(ResourceReport r, FieldPath field, RewriteSpec? spec, MatchSnapshot match)
    {
        if (spec is null) return null;
        if (spec.Host is null && spec.Path is null && spec.PathPrefix is null && spec.PathRegex is null)
            r.Error(field, "one of host, path, pathPrefix or pathRegex is required");
        if ((spec.Path is null ? 0 : 1) + (spec.PathPrefix is null ? 0 : 1) + (spec.PathRegex is null ? 0 : 1) > 1)
            r.Error(field, "at most one of path, pathPrefix, pathRegex");
        var host = Host(r, field.Field("host"), spec.Host);
        if (spec.Path is { } full) Path(r, field.Field("path"), full);
        if (spec.PathPrefix is { } prefix)
        {
            Path(r, field.Field("pathPrefix"), prefix);
            NeedsPrefixMatch(r, field.Field("pathPrefix"), match);
        }
        if (spec.PathRegex is { } regex)
        {
            var rf = field.Field("pathRegex");
            if (regex.Pattern.Length == 0) r.Error(rf.Field("pattern"), "required");
            else Regexes.Check(r, rf.Field("pattern"), regex.Pattern);
            if (!regex.Substitution.All(IsPathChar)) r.Error(rf.Field("substitution"), "must be printable ASCII without spaces, '?' or '#'");
        }
        return new RewriteSnapshot
        {
            Host = host,
            Path = spec.Path,
            PathPrefix = spec.PathPrefix,
            PathRegex = spec.PathRegex?.Pattern,
            PathSubstitution = spec.PathRegex?.Substitution,
        };
    }

    public static RedirectSnapshot? Redirect(ResourceReport r, FieldPath field, RedirectSpec? spec, MatchSnapshot match)
    {
        if (spec is null) return null;
        if (spec.Scheme is not (null or "http" or "https")) r.Error(field.Field("scheme"), $"expected http or https, got \"{spec.Scheme}\"");
        var host = Host(r, field.Field("host"), spec.Host);
        Ranges.Port(r, field.Field("port"), spec.Port);
        if (spec.Path is not null && spec.PathPrefix is not null) r.Error(field, "at most one of path, pathPrefix");
        if (spec.Path is { } path) Path(r, field.Field("path"), path);
        if (spec.PathPrefix is { } prefix)
        {
            Path(r, field.Field("pathPrefix"), prefix);
            NeedsPrefixMatch(r, field.Field("pathPrefix"), match);
        }
        if (spec.StatusCode is { } code && !RedirectCodes.Contains(code))
            r.Error(field.Field("statusCode"), $"expected one of {string.Join(", ", RedirectCodes)}, got {code}");
        return new RedirectSnapshot
        {
            Scheme = spec.Scheme,
            Host = host,
            Port = spec.Port,
            Path = spec.Path,
            PathPrefix = spec.PathPrefix,
            StatusCode = spec.StatusCode ?? 302,
        };
    }

    private static string? Host(ResourceReport r, FieldPath field, string? host)
    {
        if (host is null) return null;
        var normalized = Names.NormalizeHost(host, allowWildcard: false);
        if (normalized is null) r.Error(field, $"\"{host}\" is not a valid host name");
        return normalized;
    }

    private static void Path(ResourceReport r, FieldPath field, string path)
    {
        if (!path.StartsWith('/')) r.Error(field, $"must start with \"/\", got \"{path}\"");
        else if (!path.All(IsPathChar)) r.Error(field, "must be printable ASCII without spaces, '?' or '#'");
    }

    private static void NeedsPrefixMatch(ResourceReport r, FieldPath field, MatchSnapshot match)
    {
        if (match.PathKind != PathMatchKind.Prefix) r.Error(field, "replaces the matched prefix: the route needs match.pathPrefix");
    }

    /// <summary>What may stand in a path we put on the wire or in a Location header: visible ASCII, no query or fragment.</summary>
    private static bool IsPathChar(char c) => c is > ' ' and < '\x7f' and not ('?' or '#');
}
