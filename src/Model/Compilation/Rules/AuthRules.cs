using System.Collections.Immutable;
using System.Net;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Route authentication: JWT settings checked before any key is fetched.</summary>
internal static class AuthRules
{
    private static readonly string[] Algorithms = ["RS256", "ES256"];

    public static JwtAuthSnapshot? Jwt(ResourceReport r, FieldPath field, JwtAuthSpec? spec)
    {
        if (spec is null) return null;
        if (string.IsNullOrWhiteSpace(spec.Issuer)) r.Error(field.Field("issuer"), "required");
        if (spec.Audiences is not { Count: > 0 }) r.Error(field.Field("audiences"), "at least one audience is required");
        else
        {
            for (var i = 0; i < spec.Audiences.Count; i++)
                if (string.IsNullOrWhiteSpace(spec.Audiences[i])) r.Error(field.Field("audiences").Index(i), "must not be empty");
        }
        JwksUrl(r, field.Field("jwksUrl"), spec.JwksUrl);
        for (var i = 0; i < (spec.Algorithms?.Count ?? 0); i++)
        {
            if (!Algorithms.Contains(spec.Algorithms![i], StringComparer.Ordinal))
                r.Error(field.Field("algorithms").Index(i), $"expected RS256 or ES256, got \"{spec.Algorithms[i]}\"");
        }
        if (spec.Algorithms is { Count: 0 }) r.Error(field.Field("algorithms"), "at least one of RS256, ES256 (or leave it out)");
        if (spec.ClockSkew is { } skew && (skew.Value < TimeSpan.Zero || skew.Value > TimeSpan.FromMinutes(5)))
            r.Error(field.Field("clockSkew"), $"must be between 0s and 5m, got {skew}");
        Ranges.AtLeast(r, field.Field("jwksRefresh"), spec.JwksRefresh, TimeSpan.FromSeconds(10));
        var claims = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var (claim, header) in (spec.ForwardClaims ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!Names.IsToken(header)) r.Error(field.Field("forwardClaims").Field(claim), $"\"{header}\" is not a valid header name");
            claims.Add(KeyValuePair.Create(claim, header));
        }
        return new JwtAuthSnapshot
        {
            Issuer = spec.Issuer,
            Audiences = [.. spec.Audiences ?? []],
            JwksUrl = spec.JwksUrl,
            Algorithms = spec.Algorithms is { Count: > 0 } a ? [.. a.Distinct()] : [.. Algorithms],
            ClockSkew = spec.ClockSkew?.Value ?? TimeSpan.FromSeconds(30),
            JwksRefresh = spec.JwksRefresh?.Value ?? TimeSpan.FromMinutes(10),
            ForwardClaims = claims.ToImmutable(),
            StripCredential = spec.StripCredential ?? false,
        };
    }

    /// <summary>Keys fetched over plain HTTP could be swapped by anyone on the path: https, or http to a loopback address.</summary>
    private static void JwksUrl(ResourceReport r, FieldPath field, string url)
    {
        if (string.IsNullOrEmpty(url)) { r.Error(field, "required"); return; }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            r.Error(field, $"expected an absolute https URL, got \"{url}\"");
            return;
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !(IPAddress.TryParse(uri.IdnHost, out var ip) && IPAddress.IsLoopback(ip)) && uri.Host != "localhost")
            r.Error(field, $"must be https outside loopback (keys fetched over plain HTTP could be replaced in transit), got \"{url}\"");
    }
}
