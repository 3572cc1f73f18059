using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>What a route adds to or replaces in responses: CORS, custom error responses.</summary>
internal static class ResponseRules
{
    public static CorsSnapshot? Cors(ResourceReport r, FieldPath field, CorsSpec? spec)
    {
        if (spec is null) return null;
        var origins = spec.AllowOrigins ?? [];
        if (origins.Count == 0) r.Error(field.Field("allowOrigins"), "at least one origin (or \"*\") is required");
        var exact = ImmutableArray.CreateBuilder<string>();
        var suffixes = ImmutableArray.CreateBuilder<string>();
        var any = false;
        for (var i = 0; i < origins.Count; i++)
        {
            var o = origins[i].Trim().ToLowerInvariant();
            if (o == "*") { any = true; continue; }
            var scheme = o.StartsWith("https://", StringComparison.Ordinal) ? "https://" : o.StartsWith("http://", StringComparison.Ordinal) ? "http://" : null;
            var rest = scheme is null ? "" : o[scheme.Length..];
            var hostPart = rest.Split(':')[0];
            var portOk = !rest.Contains(':') || int.TryParse(rest[(rest.IndexOf(':') + 1)..], out var port) && port is > 0 and < 65536;
            if (scheme is null || rest.Contains('/') || !portOk || Names.NormalizeHost(hostPart, allowWildcard: true) is null)
            {
                r.Error(field.Field("allowOrigins").Index(i), $"\"{origins[i]}\" is not an origin (http(s)://host[:port], https://*.domain, or *)");
                continue;
            }
            if (hostPart.StartsWith("*.", StringComparison.Ordinal)) suffixes.Add(scheme + rest[1..]);
            else exact.Add(o);
        }
        var methods = Tokens(r, field.Field("allowMethods"), spec.AllowMethods ?? ["GET", "HEAD", "POST"], upper: true);
        var headers = Tokens(r, field.Field("allowHeaders"), spec.AllowHeaders ?? [], upper: false);
        var expose = Tokens(r, field.Field("exposeHeaders"), spec.ExposeHeaders ?? [], upper: false);
        Ranges.Positive(r, field.Field("maxAge"), spec.MaxAge);
        return new CorsSnapshot
        {
            AnyOrigin = any,
            Origins = exact.ToImmutable(),
            OriginSuffixes = suffixes.ToImmutable(),
            AllowMethods = string.Join(", ", methods),
            AllowHeaders = headers.Count == 0 ? null : string.Join(", ", headers),
            ExposeHeaders = expose.Count == 0 ? null : string.Join(", ", expose),
            AllowCredentials = spec.AllowCredentials ?? false,
            MaxAgeSeconds = spec.MaxAge is { } age ? (long)age.Value.TotalSeconds : null,
        };
    }

    public static ImmutableArray<int> ErrorStatuses(ResourceReport r, FieldPath field, List<int> statuses)
    {
        if (statuses.Count == 0) r.Error(field, "at least one status is required");
        for (var i = 0; i < statuses.Count; i++)
            if (statuses[i] is < 400 or > 599) r.Error(field.Index(i), $"must be an error status (400-599), got {statuses[i]}");
        return [.. statuses.Distinct().Order()];
    }

    private static List<string> Tokens(ResourceReport r, FieldPath field, List<string> items, bool upper)
    {
        var result = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var t = items[i].Trim();
            if (!Names.IsToken(t)) r.Error(field.Index(i), $"\"{items[i]}\" is not a valid {(upper ? "method" : "header name")}");
            else if (!result.Contains(upper ? t.ToUpperInvariant() : t)) result.Add(upper ? t.ToUpperInvariant() : t);
        }
        return result;
    }
}
